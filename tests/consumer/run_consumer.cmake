# SPDX-License-Identifier: BSL-1.0
# Driver for the consumer tests: configures, builds and runs one consumer mini-project, or installs the main build.
#
#   cmake -DMODE=<install|fetch_content|find_package|add_subdirectory>
#         -DSOURCE_DIR=<webhooks source tree> -DWORK_DIR=<scratch build dir for this mode>
#         [-DMAIN_BINARY_DIR=<webhooks build tree>]   (install)
#         [-DPREFIX=<install prefix>]                 (install, find_package)
#         [-DCONFIG=<config>] [-DGENERATOR=<generator>] [-DMAKE_PROGRAM=<path>]
#         [-DCXX_COMPILER=<path>] [-DCXX_FLAGS=<flags>]
#         -P run_consumer.cmake
#
# Every step runs offline; any failing step fails the test (message(FATAL_ERROR) makes `cmake -P` exit non-zero).

cmake_minimum_required(VERSION 3.25)

function(require)
    foreach(var IN LISTS ARGN)
        if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
            message(FATAL_ERROR "run_consumer.cmake: pass -D${var}=... (MODE=${MODE})")
        endif()
    endforeach()
endfunction()

# Runs a command, echoing it first; stops the script with `what` if it fails.
function(run what)
    list(JOIN ARGN " " shown)
    message(STATUS "[${MODE}] ${what}: ${shown}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "[${MODE}] ${what} failed (${result})")
    endif()
endfunction()

require(MODE SOURCE_DIR)

set(config_args)
if(NOT "${CONFIG}" STREQUAL "")
    set(config_args --config "${CONFIG}")
endif()

if(MODE STREQUAL "install")
    require(MAIN_BINARY_DIR PREFIX)
    # A fresh prefix, so a header removed from the tree cannot linger in the installed copy.
    file(REMOVE_RECURSE "${PREFIX}")
    run("install" "${CMAKE_COMMAND}" --install "${MAIN_BINARY_DIR}" --prefix "${PREFIX}" ${config_args})
    file(GLOB_RECURSE config_files "${PREFIX}/*/webhooksConfig.cmake")
    if(NOT config_files)
        message(FATAL_ERROR "[install] no webhooksConfig.cmake under ${PREFIX}")
    endif()
    message(STATUS "[install] installed into ${PREFIX}")
    return()
endif()

if(NOT MODE MATCHES "^(fetch_content|find_package|add_subdirectory)$")
    message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()
require(WORK_DIR)

set(project_dir "${CMAKE_CURRENT_LIST_DIR}/${MODE}")
set(build_dir "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")

# Build the consumer the way the main tree is built: same generator, compiler, flags and configuration.
set(configure_args -S "${project_dir}" -B "${build_dir}")
if(GENERATOR)
    list(APPEND configure_args -G "${GENERATOR}")
endif()
if(MAKE_PROGRAM)
    list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(CXX_COMPILER)
    list(APPEND configure_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(NOT "${CXX_FLAGS}" STREQUAL "")
    list(APPEND configure_args "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
endif()
if(NOT "${CONFIG}" STREQUAL "")
    list(APPEND configure_args "-DCMAKE_BUILD_TYPE=${CONFIG}")
endif()
# Never let a package registry or a copy installed elsewhere stand in for the tree under test.
list(APPEND configure_args
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)

if(MODE STREQUAL "find_package")
    require(PREFIX)
    list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${PREFIX}")
else()
    # webhooks is a subproject here: its options default to OFF already; say so explicitly to keep the test fast.
    list(APPEND configure_args
        "-DWEBHOOKS_SOURCE_DIR=${SOURCE_DIR}"
        -DWEBHOOKS_BUILD_TESTS=OFF
        -DWEBHOOKS_BUILD_EXAMPLES=OFF
        -DFETCHCONTENT_QUIET=ON)
endif()

run("configure" "${CMAKE_COMMAND}" ${configure_args})

if(MODE STREQUAL "find_package")
    # The package must come from the prefix just installed, not from anywhere else on the machine.
    file(STRINGS "${build_dir}/CMakeCache.txt" found_dir REGEX "^webhooks_DIR:")
    string(REGEX REPLACE "^webhooks_DIR:[A-Z]+=" "" found_dir "${found_dir}")
    file(REAL_PATH "${PREFIX}" real_prefix)
    file(REAL_PATH "${found_dir}" real_found_dir)
    string(FIND "${real_found_dir}/" "${real_prefix}/" at)
    if(NOT at EQUAL 0)
        message(FATAL_ERROR "[find_package] webhooks was found in '${found_dir}', not under '${PREFIX}'")
    endif()
endif()

run("build" "${CMAKE_COMMAND}" --build "${build_dir}" ${config_args})

set(program "${build_dir}/bin/verify_stripe${CMAKE_EXECUTABLE_SUFFIX}")
if(CMAKE_HOST_WIN32)
    set(program "${build_dir}/bin/verify_stripe.exe")
endif()
message(STATUS "[${MODE}] run: ${program}")
execute_process(COMMAND "${program}"
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
message(STATUS "[${MODE}] verify_stripe said: ${output}")
if(NOT result EQUAL 0)
    message(FATAL_ERROR "[${MODE}] verify_stripe failed (${result})")
endif()
if(NOT output MATCHES "verified")
    message(FATAL_ERROR "[${MODE}] verify_stripe exited 0 but did not print 'verified'")
endif()
message(STATUS "[${MODE}] passed")
