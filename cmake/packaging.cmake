# Debian packages with CPack (`make deb`, tests/tools/deb_contents_test.py):
#   libhakmem      the shared libraries (libhakmem.so.0, libhakmem_secure.so.0)
#   libhakmem-dev  headers, static libraries, the .so links, CMake and pkg-config files
#   hakmem-tools   the hakmem command and its man page
# One package per install component (the install() calls name them).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hakmem)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "self-tuning general-purpose memory allocator (malloc replacement)")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "hakmem developers")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
# Depends on the C library from dpkg-shlibdeps, and between the packages.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_COMPONENTS_ALL lib dev)
if(HAKMEM_BUILD_TOOLS)
  list(APPEND CPACK_COMPONENTS_ALL tools)
endif()
set(CPACK_COMPONENT_DEV_DEPENDS lib)
set(CPACK_COMPONENT_TOOLS_DEPENDS lib)

set(CPACK_DEBIAN_LIB_PACKAGE_NAME libhakmem)
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIB_DESCRIPTION "hakmem shared libraries\n The allocator, to link or to preload (LD_PRELOAD), and its hardened flavour libhakmem_secure.")
# CPack writes the postinst/postrm that run ldconfig for a package with shared libraries.

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libhakmem-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DESCRIPTION "hakmem development files\n The C header and C++ adapters, static libraries, CMake package and pkg-config file.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME hakmem-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_TOOLS_DESCRIPTION "the hakmem command\n Runs a program with hakmem preloaded (hakmem run), reports its statistics, lists the options.")

include(CPack)
