# SPDX-License-Identifier: BSL-1.0
#
# Runs one direction of the interop test: one side signs a case file, the other verifies it.
#
#   cmake -DDIRECTION=sdk_to_cpp|cpp_to_sdk -DNODE=<node> -DSDK=<sdk.mjs> -DINTEROP=<webhooks_interop>
#         -DWORK_DIR=<dir for the case file> [-DCOUNT=200] -P run_interop.cmake
#
# The seed is the time and a random number, unless the environment variable WEBHOOKS_INTEROP_SEED is set; it is
# printed, so a failure can be rerun with the same secrets and bodies (timestamps are always "now"):
#   WEBHOOKS_INTEROP_SEED=<seed> ctest -R webhooks.interop
# The case file is kept in WORK_DIR for inspection. WEBHOOKS_NODE_MODULES (the npm prefix) comes from the test's
# environment.

foreach(var DIRECTION NODE SDK INTEROP WORK_DIR)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "run_interop.cmake: -D${var}=… is required")
    endif()
endforeach()
if(NOT DEFINED COUNT)
    set(COUNT 200)
endif()

if(NOT "$ENV{WEBHOOKS_INTEROP_SEED}" STREQUAL "")
    set(seed "$ENV{WEBHOOKS_INTEROP_SEED}")
else()
    string(TIMESTAMP now "%s" UTC)
    string(RANDOM LENGTH 6 ALPHABET 0123456789 salt)
    set(seed "${now}-${salt}")
endif()
message("seed: ${seed}   (rerun: WEBHOOKS_INTEROP_SEED=${seed} ctest -R webhooks.interop)")

file(MAKE_DIRECTORY "${WORK_DIR}")
set(cases "${WORK_DIR}/${DIRECTION}.json")

if(DIRECTION STREQUAL "sdk_to_cpp")
    set(signer "${NODE}" "${SDK}")
    set(verifier "${INTEROP}")
elseif(DIRECTION STREQUAL "cpp_to_sdk")
    set(signer "${INTEROP}")
    set(verifier "${NODE}" "${SDK}")
else()
    message(FATAL_ERROR "run_interop.cmake: DIRECTION must be sdk_to_cpp or cpp_to_sdk, not '${DIRECTION}'")
endif()
string(JOIN " " signer_text ${signer})
string(JOIN " " verifier_text ${verifier})

string(TIMESTAMP t0 "%s" UTC)
execute_process(
    COMMAND ${signer} sign all ${COUNT} ${seed}
    OUTPUT_FILE "${cases}"
    RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "signing failed (${status}): ${signer_text} sign all ${COUNT} ${seed}")
endif()
string(TIMESTAMP t1 "%s" UTC)
math(EXPR signing "${t1} - ${t0}")
message("signed ${COUNT} cases per scheme with ${signer_text} in ${signing} s -> ${cases}")

execute_process(
    COMMAND ${verifier} verify "${cases}"
    RESULT_VARIABLE status)
string(TIMESTAMP t2 "%s" UTC)
math(EXPR verifying "${t2} - ${t1}")
message("verified with ${verifier_text} in ${verifying} s")
if(NOT status EQUAL 0)
    message(FATAL_ERROR "verification failed (${status}); seed ${seed}, cases in ${cases}")
endif()
