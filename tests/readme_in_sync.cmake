# SPDX-License-Identifier: BSL-1.0
# Fails when the README's usage example differs from the compiled one in tests/unit/readme_snippet.cpp.
#   cmake -DSOURCE_DIR=<repository> -P readme_in_sync.cmake
file(READ "${SOURCE_DIR}/tests/unit/readme_snippet.cpp" source)
string(FIND "${source}" "// [readme-snippet]\n" begin)
string(FIND "${source}" "// [/readme-snippet]" end)
if(begin EQUAL -1 OR end EQUAL -1)
    message(FATAL_ERROR "readme_snippet.cpp has no [readme-snippet] markers")
endif()
math(EXPR begin "${begin} + 20")
math(EXPR length "${end} - ${begin}")
string(SUBSTRING "${source}" ${begin} ${length} snippet)
file(READ "${SOURCE_DIR}/README.md" readme)
string(FIND "${readme}" "```cpp\n${snippet}```" found)
if(found EQUAL -1)
    message(FATAL_ERROR "README.md's usage example is not the one in tests/unit/readme_snippet.cpp: copy it over")
endif()
message(STATUS "README usage example matches tests/unit/readme_snippet.cpp")
