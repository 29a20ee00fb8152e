# Install rules for what lsoed ships besides its binaries (the targets install
# themselves): the manual pages, the systemd unit and the example configuration.
# Included at the end of ports/linux/CMakeLists.txt.
include(GNUInstallDirs)

install(FILES
  ${CMAKE_CURRENT_SOURCE_DIR}/man/lsoed.8
  ${CMAKE_CURRENT_SOURCE_DIR}/man/lsoectl.8
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/man/lsoed.conf.5
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# The unit names the daemon by its installed path, CMAKE_INSTALL_FULL_SBINDIR: the lsoed
# target installs to sbin (keep the two in step). That path is fixed at configure time
# from CMAKE_INSTALL_PREFIX: "cmake --install --prefix" cannot change it.
set(LSOE_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "Where the systemd unit is installed (relative to the install prefix, or absolute)")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/lsoed.service.in ${CMAKE_CURRENT_BINARY_DIR}/lsoed.service @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/lsoed.service DESTINATION ${LSOE_SYSTEMD_UNITDIR})

install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/lsoed.conf.example
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/lsoe)
