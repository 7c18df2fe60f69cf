# SPDX-License-Identifier: BSL-1.0
#
# Installs the SDKs pinned in package.json into an npm prefix in the build tree (never into the source tree).
#
#   cmake -DNPM=<npm> -DPACKAGE_JSON=<tests/interop/package.json> -DPREFIX=<build dir> -P npm_install.cmake
#
# The package.json is copied into PREFIX and `npm install --prefix PREFIX` installs its dependencies there. (Not
# `npm install --prefix PREFIX tests/interop`: that installs the source directory as a symlinked package; see
# README.md.) When PREFIX/node_modules already holds every pinned version, nothing is installed, so reruns are fast.

foreach(var NPM PACKAGE_JSON PREFIX)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "npm_install.cmake: -D${var}=… is required")
    endif()
endforeach()

file(MAKE_DIRECTORY "${PREFIX}")
file(COPY_FILE "${PACKAGE_JSON}" "${PREFIX}/package.json" ONLY_IF_DIFFERENT)

# Sets `out` to the list of "name@wanted" pins that PREFIX/node_modules does not have.
function(missing_pins out)
    file(READ "${PACKAGE_JSON}" manifest)
    string(JSON count LENGTH "${manifest}" dependencies)
    set(missing "")
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
        string(JSON name MEMBER "${manifest}" dependencies ${i})
        string(JSON want GET "${manifest}" dependencies "${name}")
        set(installed "${PREFIX}/node_modules/${name}/package.json")
        set(have "")
        if(EXISTS "${installed}")
            file(READ "${installed}" package)
            string(JSON have ERROR_VARIABLE ignored GET "${package}" version)
        endif()
        if(NOT have STREQUAL want)
            list(APPEND missing "${name}@${want} (installed: ${have})")
        endif()
    endforeach()
    set(${out} "${missing}" PARENT_SCOPE)
endfunction()

missing_pins(missing)
if(NOT missing)
    message(STATUS "npm packages already installed in ${PREFIX}/node_modules at the pinned versions; not reinstalling")
    return()
endif()

message(STATUS "installing into ${PREFIX}: ${missing}")
execute_process(
    COMMAND "${NPM}" install --no-audit --no-fund --prefix "${PREFIX}"
    WORKING_DIRECTORY "${PREFIX}"
    RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "npm install failed (${status}); the interop tests need network access to the npm registry "
                        "once, to install ${missing}")
endif()

missing_pins(missing)
if(missing)
    message(FATAL_ERROR "after npm install, still not at the pinned versions: ${missing}")
endif()
message(STATUS "npm packages installed in ${PREFIX}/node_modules")
