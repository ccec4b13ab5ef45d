# ctest helper: `node --check SCRIPT`; without Node.js it prints SKIPPED (the
# test's SKIP_REGULAR_EXPRESSION) and checks nothing.
find_program(NODE NAMES node nodejs)
if(NOT NODE)
  message("SKIPPED: Node.js is not installed (apt install nodejs), ${SCRIPT} not checked")
  return()
endif()
execute_process(COMMAND ${NODE} --check ${SCRIPT} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${SCRIPT}: node --check failed")
endif()
message("${SCRIPT}: node --check passed")
