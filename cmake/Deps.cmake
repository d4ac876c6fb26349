# Third-party libraries, all from Debian's -dev packages (scripts/setup-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(SWDEP REQUIRED IMPORTED_TARGET
  libarchive zlib libzstd libisal openssl sqlite3 jansson yaml-0.1 libcurl)
add_library(sw_deps INTERFACE)
target_link_libraries(sw_deps INTERFACE PkgConfig::SWDEP Threads::Threads m)
pkg_check_modules(CMOCKA IMPORTED_TARGET cmocka)
