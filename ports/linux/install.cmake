# Install rules for what lsoed ships besides its binaries (the targets install
# themselves): the manual pages, the systemd unit and the example configuration.
# Included at the end of ports/linux/CMakeLists.txt.
#
# Components (packaging/deb/package.cmake): the man pages are in the default one, which both
# `cmake --install` and the Debian package install; the unit and the example configuration are
# in "plain", `cmake --install` only -- the package has its own (/lib/systemd/system naming
# /usr/sbin/lsoed, and the conffile /etc/lsoed.conf).
include(GNUInstallDirs)

# Manual pages, gzipped (cmake/LsoeManPages.cmake).
include(${PROJECT_SOURCE_DIR}/cmake/LsoeManPages.cmake)
lsoe_install_man(lsoed-man-pages man/lsoed.8 man/lsoectl.8 man/lsoed.conf.5)

# The unit names the daemon by its installed path, CMAKE_INSTALL_FULL_SBINDIR: the lsoed
# target installs to sbin (keep the two in step). That path is fixed at configure time
# from CMAKE_INSTALL_PREFIX: "cmake --install --prefix" cannot change it.
set(LSOE_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "Where the systemd unit is installed (relative to the install prefix, or absolute)")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/lsoed.service.in ${CMAKE_CURRENT_BINARY_DIR}/lsoed.service @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/lsoed.service DESTINATION ${LSOE_SYSTEMD_UNITDIR}
  COMPONENT plain)

install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/lsoed.conf.example
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/lsoe COMPONENT plain)
