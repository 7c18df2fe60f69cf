# SPDX-License-Identifier: BSL-1.0
# Builds one target of an existing build tree; used by CTest for targets that are not part of ALL.
#
#   cmake -DBINARY_DIR=<build tree> -DTARGET=<target> [-DCONFIG=<config>] -P build_target.cmake

foreach(var IN ITEMS BINARY_DIR TARGET)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "build_target.cmake: pass -D${var}=...")
    endif()
endforeach()

set(config_args)
if(NOT "${CONFIG}" STREQUAL "")
    set(config_args --config "${CONFIG}")
endif()

execute_process(
    COMMAND "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --target "${TARGET}" --parallel 2 ${config_args}
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "building ${TARGET} failed (${result})")
endif()
