# The secret scanner's matching engine (docs/secrets.md, "Engines"), chosen
# at build time:
#   -DSW_SECRETS_ENGINE=hyperscan  Hyperscan (libhyperscan-dev, amd64 only):
#                                  the keyword prefilter of every rule in one
#                                  streaming database;
#   -DSW_SECRETS_ENGINE=pcre2      the portable literal prefilter;
#   unset                          hyperscan when libhs.a is found, else pcre2.
# Both confirm candidates with PCRE2 (libpcre2-dev), so PCRE2 is always linked
# and both engines give the same findings.  Hyperscan's compiler is C++:
# libhs.a is linked with libstdc++.a so that the binary still needs no
# libstdc++.so at start-up (tests/e2e/test_startup_deps.sh).
set(SW_SECRETS_ENGINE "" CACHE STRING "Secret scanner engine: hyperscan or pcre2 (default: hyperscan when found)")
set_property(CACHE SW_SECRETS_ENGINE PROPERTY STRINGS "" hyperscan pcre2)

sw_static_lib(SW_LIB_pcre2 pcre2-8)
set(SW_SECRETS_LIBS ${SW_LIB_pcre2})

set(_sw_engine "${SW_SECRETS_ENGINE}")
if(NOT _sw_engine STREQUAL "pcre2")
  find_library(SW_LIB_hs NAMES libhs.a NO_CACHE)
  find_path(SW_HS_INCLUDE hs/hs.h NO_CACHE)
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libstdc++.a
    OUTPUT_VARIABLE SW_LIB_stdcxx OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(SW_LIB_hs AND SW_HS_INCLUDE AND EXISTS "${SW_LIB_stdcxx}")
    set(_sw_engine hyperscan)
  elseif(_sw_engine STREQUAL "hyperscan")
    message(FATAL_ERROR "SW_SECRETS_ENGINE=hyperscan but libhs.a, hs/hs.h or libstdc++.a is missing: install libhyperscan-dev (scripts/setup-deps.sh)")
  else()
    set(_sw_engine pcre2)
  endif()
endif()
if(NOT _sw_engine MATCHES "^(hyperscan|pcre2)$")
  message(FATAL_ERROR "SW_SECRETS_ENGINE must be hyperscan or pcre2, not '${SW_SECRETS_ENGINE}'")
endif()
message(STATUS "secret scanner engine: ${_sw_engine}")
set(SW_SECRETS_ENGINE_USED ${_sw_engine})

target_compile_definitions(sw_deps INTERFACE PCRE2_CODE_UNIT_WIDTH=8 PCRE2_STATIC)
if(_sw_engine STREQUAL "hyperscan")
  target_compile_definitions(sw_deps INTERFACE SW_SECRETS_HYPERSCAN=1)
  target_include_directories(sw_deps INTERFACE ${SW_HS_INCLUDE})
  list(PREPEND SW_SECRETS_LIBS ${SW_LIB_hs} ${SW_LIB_stdcxx})
endif()
target_link_libraries(sw_deps INTERFACE ${SW_SECRETS_LIBS} m)
