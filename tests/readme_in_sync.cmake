# SPDX-License-Identifier: BSL-1.0
# Fails when a README example differs from its compiled copy in tests/unit/readme_snippet.cpp: each block between
# `// [NAME]` and `// [/NAME]` there must appear in README.md as a ```cpp block.
#   cmake -DSOURCE_DIR=<repository> -P readme_in_sync.cmake
file(READ "${SOURCE_DIR}/tests/unit/readme_snippet.cpp" source)
file(READ "${SOURCE_DIR}/README.md" readme)
foreach(name readme-snippet readme-endpoint)
    string(FIND "${source}" "// [${name}]\n" begin)
    string(FIND "${source}" "// [/${name}]" end)
    if(begin EQUAL -1 OR end EQUAL -1)
        message(FATAL_ERROR "readme_snippet.cpp has no [${name}] markers")
    endif()
    string(LENGTH "// [${name}]\n" marker)
    math(EXPR begin "${begin} + ${marker}")
    math(EXPR length "${end} - ${begin}")
    string(SUBSTRING "${source}" ${begin} ${length} snippet)
    string(FIND "${readme}" "```cpp\n${snippet}```" found)
    if(found EQUAL -1)
        message(FATAL_ERROR "README.md's example [${name}] is not the one in tests/unit/readme_snippet.cpp: copy it")
    endif()
endforeach()
message(STATUS "README examples match tests/unit/readme_snippet.cpp")
