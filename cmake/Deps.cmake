# Third-party libraries, all from Debian's -dev packages (scripts/setup-deps.sh).
#
# Start-up cost decides how each one is linked (docs/architecture.md, "Linking
# and start-up"; figures in docs/performance.md):
# - libcurl is not linked at all: src/net/libcurl.c dlopen()s libcurl.so.4 the
#   first time a registry or an online database update needs it.  Only its
#   headers are used here.
# - libarchive is linked from its static archive, so that only the objects we
#   call come in (tar, zip, raw, the read filters) and none of libxml2, ICU and
#   libstdc++, which the shared libarchive.so.13 loads for its xar reader.  The
#   libraries those objects need are listed below by hand; a link error here
#   means a new libarchive needs another one.
# - everything else is linked shared, with --as-needed.
# tests/e2e/test_startup_deps.sh checks the resulting NEEDED list.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(SWDEP REQUIRED IMPORTED_TARGET
  zlib libzstd libisal openssl sqlite3 jansson yaml-0.1)
pkg_check_modules(SWCURL REQUIRED libcurl)
pkg_check_modules(SWARCHIVE REQUIRED libarchive)

find_library(SW_LIBARCHIVE_A NAMES libarchive.a HINTS ${SWARCHIVE_LIBRARY_DIRS} NO_CACHE)
if(NOT SW_LIBARCHIVE_A)
  message(FATAL_ERROR "libarchive.a not found (Debian: libarchive-dev): run scripts/setup-deps.sh")
endif()
# What libarchive.a's tar, zip, raw and filter objects call (pkg-config
# --static also lists libacl and libxml2: only the disk writer and the xar
# reader use them, and we link neither).  The run-time soname is accepted when
# the -dev symlink is absent: Debian's libarchive-dev does not pull these.
set(SW_LIBARCHIVE_DEPS)
foreach(dep "nettle;libnettle.so.8" "lzma;liblzma.so.5" "lz4;liblz4.so.1" "bz2;libbz2.so.1.0")
  list(GET dep 0 name)
  find_library(SW_LIB_${name} NAMES ${dep} NO_CACHE)
  if(NOT SW_LIB_${name})
    message(FATAL_ERROR "lib${name} (needed by libarchive.a) not found: run scripts/setup-deps.sh")
  endif()
  list(APPEND SW_LIBARCHIVE_DEPS ${SW_LIB_${name}})
endforeach()

add_library(sw_deps INTERFACE)
target_include_directories(sw_deps INTERFACE ${SWCURL_INCLUDE_DIRS} ${SWARCHIVE_INCLUDE_DIRS})
target_link_libraries(sw_deps INTERFACE
  ${SW_LIBARCHIVE_A} ${SW_LIBARCHIVE_DEPS} PkgConfig::SWDEP Threads::Threads ${CMAKE_DL_LIBS} m)
target_link_options(sw_deps INTERFACE LINKER:--as-needed)
pkg_check_modules(CMOCKA IMPORTED_TARGET cmocka)
