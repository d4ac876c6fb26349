# Third-party libraries, all from Debian's -dev packages (scripts/setup-deps.sh).
#
# Start-up cost decides how each one is linked (docs/architecture.md, "Linking
# and start-up"; figures in docs/performance.md, "Start-up"):
# - libcurl is not linked at all: src/net/libcurl.c dlopen()s libcurl.so.4 the
#   first time a registry or an online database update needs it.  Only its
#   headers are used here.
# - the others are linked from their static archives (libNAME.a, shipped in
#   the same -dev packages), so that only the objects we call come in and the
#   dynamic loader has no library to map, relocate and look symbols up in.
#   For libarchive this also keeps out libxml2, ICU and libstdc++, which the
#   shared libarchive.so.13 loads for its xar reader.
# - libisal and liblz4 (libarchive's lz4 filter) have no static archive in
#   Debian: linked shared.  libc and libm stay shared.
# tests/e2e/test_startup_deps.sh checks the resulting NEEDED list.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(SWDEP REQUIRED
  libarchive zlib libzstd libisal libcrypto sqlite3 jansson yaml-0.1 nettle liblzma libpcre2-8)
pkg_check_modules(SWCURL REQUIRED libcurl)
# libpq: headers only, loaded with dlopen() by the PostgreSQL store (src/store/postgres_pq.h)
pkg_check_modules(SWPQ REQUIRED libpq)
# libxml2: headers only, dlopen()ed by src/vulndb/sources/libxml.c (OVAL)
pkg_check_modules(SWXML REQUIRED libxml-2.0)

# sw_static_lib(VAR NAME): the path of libNAME.a, or a fatal error.
function(sw_static_lib var name)
  find_library(${var} NAMES lib${name}.a HINTS ${SWDEP_LIBRARY_DIRS} NO_CACHE)
  if(NOT ${var})
    message(FATAL_ERROR "lib${name}.a not found (its -dev package): run scripts/setup-deps.sh")
  endif()
  set(${var} ${${var}} PARENT_SCOPE)
endfunction()

# In link order: a library before the ones it calls.  libarchive.a's tar, zip,
# raw and filter objects call nettle, lzma, lz4, bz2, zstd and z (pkg-config
# --static also lists libacl and libxml2: only its disk writer and xar reader
# use them, and we link neither).
set(SW_STATIC_DEPS)
foreach(name archive nettle lzma bz2 crypto sqlite3 jansson yaml pcre2-8 zstd z)
  sw_static_lib(SW_LIB_${name} ${name})
  list(APPEND SW_STATIC_DEPS ${SW_LIB_${name}})
endforeach()
# Shared: no static archive in Debian.  The run-time soname is accepted when
# the -dev symlink is absent (Debian's libarchive-dev does not pull liblz4-dev).
find_library(SW_LIB_lz4 NAMES lz4 liblz4.so.1 NO_CACHE)
find_library(SW_LIB_isal NAMES isal HINTS ${SWDEP_LIBRARY_DIRS} NO_CACHE)
if(NOT SW_LIB_lz4 OR NOT SW_LIB_isal)
  message(FATAL_ERROR "liblz4 or libisal not found: run scripts/setup-deps.sh")
endif()

add_library(sw_deps INTERFACE)
target_include_directories(sw_deps INTERFACE ${SWDEP_INCLUDE_DIRS} ${SWCURL_INCLUDE_DIRS} ${SWPQ_INCLUDE_DIRS} ${SWXML_INCLUDE_DIRS})
target_link_libraries(sw_deps INTERFACE
  ${SW_STATIC_DEPS} ${SW_LIB_lz4} ${SW_LIB_isal} Threads::Threads ${CMAKE_DL_LIBS} m)
target_link_options(sw_deps INTERFACE LINKER:--as-needed)
# Relative relocations packed (DT_RELR, glibc 2.36): the static archives bring
# ~20,000 of them, which the loader then walks as a bitmap.
include(CheckLinkerFlag)
check_linker_flag(C "LINKER:-z,pack-relative-relocs" SW_HAVE_RELR)
if(SW_HAVE_RELR)
  target_link_options(sw_deps INTERFACE LINKER:-z,pack-relative-relocs)
endif()
pkg_check_modules(CMOCKA IMPORTED_TARGET cmocka)
