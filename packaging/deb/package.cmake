# The Debian package: `cmake --build BUILD --target package` writes BUILD/lsoe_VERSION_ARCH.deb
# with CPack's DEB generator. Included from the top-level CMakeLists.txt, after the programs.
#
# Why CPack and not a debian/ directory: the package comes from any build tree of this
# project, with the install() rules the project already has, and needs only cmake and
# dpkg-dev (dpkg-shlibdeps computes Depends) -- no debhelper, no dpkg-buildpackage, no
# source package, no second description of what gets installed. What debhelper would add by
# itself is done here: man pages gzipped (-9n), the changelog and copyright in
# /usr/share/doc/lsoe, the conffile listed, binaries stripped, control files with strict
# permissions, and the maintainer scripts dh_installsystemd writes for a unit that is
# neither enabled nor started on installation (postinst, prerm, postrm here).
#
# A native package (version PROJECT_VERSION, no Debian revision): its changelog is
# /usr/share/doc/lsoe/changelog.gz (policy 12.7; lintian warns
# wrong-name-for-changelog-of-native-package on changelog.Debian.gz).
#
# Hardening: the package takes the build's flags. For Debian's (lintian's hardening-* notes):
#   export DEB_BUILD_MAINT_OPTIONS=hardening=+all
#   CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
#   LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" cmake -S . -B build-pkg -DCMAKE_BUILD_TYPE=Release
#
# One build serves `cmake --install` (any prefix, /usr/local by default) and the package
# (prefix /usr, Debian's paths), through install components:
#   (default, "Unspecified")  programs, man pages, copyright, README.md and docs/, the
#                             scenario library: both
#   plain                     the unit with the configured prefix's path to lsoed, the example
#                             configuration in share/doc/lsoe, the dissector in
#                             LSOE_WIRESHARK_LUA_DIR: `cmake --install` only
#   deb (EXCLUDE_FROM_ALL)    /lib/systemd/system/lsoed.service naming /usr/sbin/lsoed, the
#                             conffile /etc/lsoed.conf, the dissector in Wireshark's global
#                             Lua plugin folder, changelog.gz: the package only
# CPack installs "Unspecified" and "deb" into one package (CPACK_COMPONENTS_ALL); an
# install() rule with another component is not packaged.
#
# /etc/lsoed.conf is a conffile (the commented example, every key at its default but
# control-socket = /run/lsoed/lsoed.sock). The unit runs `lsoed -f -c /etc/lsoed.conf`: a file
# named with -c must exist (built-in defaults apply only when no -c is given), and under the
# unit's ProtectSystem=strict only /run/lsoed (its RuntimeDirectory) is writable, so the
# built-in default socket /run/lsoed.sock could not be created anyway. As a conffile, the
# admin's edits survive upgrades (dpkg asks when both changed) and purge removes it.

include(GNUInstallDirs)

set(LSOE_DEB_MAINTAINER "LSOE maintainers <maintainers@users.noreply.r-seed-a10b6dfe.example>"
    CACHE STRING "Maintainer field of the Debian package")
set(LSOE_DEB_DIR ${CMAKE_CURRENT_LIST_DIR})
set(LSOE_DEB_BINARY_DIR ${CMAKE_BINARY_DIR}/packaging/deb)
# A native package (no Debian revision): the packaging lives in the upstream tree.
set(LSOE_DEB_VERSION ${PROJECT_VERSION})

# Debian's multiarch triplet: Wireshark's global Lua plugin folder is
# /usr/lib/<triplet>/wireshark/plugins (`tshark -G folders`, "Global Lua Plugins"), not
# versioned, so the dissector survives Wireshark upgrades.
find_program(LSOE_DPKG_ARCHITECTURE dpkg-architecture)
mark_as_advanced(LSOE_DPKG_ARCHITECTURE)
set(lsoe_multiarch "")
if(LSOE_DPKG_ARCHITECTURE)
  execute_process(COMMAND ${LSOE_DPKG_ARCHITECTURE} -qDEB_HOST_MULTIARCH
    OUTPUT_VARIABLE lsoe_multiarch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(NOT lsoe_multiarch)
  set(lsoe_multiarch "${CMAKE_LIBRARY_ARCHITECTURE}")
endif()
if(lsoe_multiarch)
  set(LSOE_DEB_LUA_DIR "lib/${lsoe_multiarch}/wireshark/plugins")
else()
  set(LSOE_DEB_LUA_DIR "lib/wireshark/plugins")
endif()

# The unit as the package installs it: the daemon at /usr/<sbindir>/lsoed whatever prefix this
# build was configured with (a function, so that the top-level scope keeps its own value).
function(lsoe_deb_unit)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_SBINDIR}")
    set(CMAKE_INSTALL_FULL_SBINDIR "${CMAKE_INSTALL_SBINDIR}")
  else()
    set(CMAKE_INSTALL_FULL_SBINDIR "/usr/${CMAKE_INSTALL_SBINDIR}")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/ports/linux/lsoed.service.in ${LSOE_DEB_BINARY_DIR}/lsoed.service @ONLY)
endfunction()
lsoe_deb_unit()

# changelog.gz. Its date:
# SOURCE_DATE_EPOCH if set, else the last commit's, else now -- the same tree gives the same file.
if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} log -1 --format=%ct
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      OUTPUT_VARIABLE lsoe_epoch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE lsoe_git_rc)
    if(lsoe_git_rc EQUAL 0 AND lsoe_epoch MATCHES "^[0-9]+$")
      set(ENV{SOURCE_DATE_EPOCH} ${lsoe_epoch})
      set(lsoe_epoch_set ON)
    endif()
  endif()
endif()
string(TIMESTAMP LSOE_DEB_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
if(lsoe_epoch_set)
  unset(ENV{SOURCE_DATE_EPOCH})
endif()
configure_file(${LSOE_DEB_DIR}/changelog.in ${LSOE_DEB_BINARY_DIR}/changelog @ONLY)

include(${PROJECT_SOURCE_DIR}/cmake/LsoeManPages.cmake)   # finds LSOE_GZIP
if(LSOE_GZIP)
  add_custom_command(OUTPUT ${LSOE_DEB_BINARY_DIR}/changelog.gz
    COMMAND ${CMAKE_COMMAND} -E copy ${LSOE_DEB_BINARY_DIR}/changelog ${LSOE_DEB_BINARY_DIR}/changelog.tmp
    COMMAND ${LSOE_GZIP} -9nf ${LSOE_DEB_BINARY_DIR}/changelog.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${LSOE_DEB_BINARY_DIR}/changelog.tmp.gz ${LSOE_DEB_BINARY_DIR}/changelog.gz
    DEPENDS ${LSOE_DEB_BINARY_DIR}/changelog
    COMMENT "Compressing the Debian changelog" VERBATIM)
  add_custom_target(lsoe-deb-changelog ALL DEPENDS ${LSOE_DEB_BINARY_DIR}/changelog.gz)
endif()

# ---- install rules of the package only (component deb) ----
install(FILES ${LSOE_DEB_BINARY_DIR}/lsoed.service DESTINATION /lib/systemd/system
  COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/ports/linux/lsoed.conf.example DESTINATION /etc RENAME lsoed.conf
  COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/tools/wireshark/lsoe.lua DESTINATION ${LSOE_DEB_LUA_DIR}
  COMPONENT deb EXCLUDE_FROM_ALL)
if(LSOE_GZIP)
  install(FILES ${LSOE_DEB_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR}
    COMPONENT deb EXCLUDE_FROM_ALL)
endif()
# In both (default component): the copyright file, and the project's documentation (README.md
# and docs/, whose relative links keep working side by side).
install(FILES ${LSOE_DEB_DIR}/copyright ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
  FILES_MATCHING PATTERN "*.md" PATTERN "*.svg" PATTERN "*.html" PATTERN "*.png")

# ---- CPack ----
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lsoe)
set(CPACK_PACKAGE_VENDOR "LSOE maintainers")
set(CPACK_PACKAGE_CONTACT "${LSOE_DEB_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${LSOE_DEB_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Link State Over Ethernet (LSOE) daemon, simulator and tools")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "lsoed implements LSOE (draft-ietf-lsvr-lsoe-01) on Linux: it finds its
neighbours on Ethernet links, exchanges IPv4, IPv6 and MPLS encapsulations
with them, and can export the link state to BGP speakers as BGP-LS. lsoectl
queries a running lsoed.
.
Also included: lsoe-sim, a deterministic simulator of LSOE fabrics, with a
library of scenarios in /usr/share/lsoe/sim-scenarios; lsoe-dump, a decoder
of LSOE captures; lsoe-pcap-send, lsoe-flood and lsoe-bench, test and
benchmark tools; and a Lua dissector that Wireshark and tshark load by
themselves.
.
The systemd unit lsoed.service is neither enabled nor started on
installation.")
set(CPACK_DEBIAN_PACKAGE_NAME lsoe)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)          # lsoe_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the binaries' NEEDED libraries (dpkg-shlibdeps, package dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libcurl4: lsoed dlopen()s libcurl.so.4 only when report-url is set (off by default), so it
# is not a dependency; Suggests rather than Recommends because apt installs Recommends by
# default, which would bring libcurl and its TLS, HTTP/2, SSH, LDAP and Kerberos libraries to
# every host that never sets the key (lsoed names the package if the key is set without it).
# tshark: for the dissector.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libcurl4, tshark | wireshark")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${LSOE_DEB_DIR}/conffiles ${LSOE_DEB_DIR}/postinst ${LSOE_DEB_DIR}/prerm ${LSOE_DEB_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES ON)
# Install into the staging tree with DESTDIR and prefix /usr, so that the absolute
# destinations (/etc, /lib/systemd/system) land in the package too.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified deb)
# `package_source` is not used; keep it from archiving build trees if someone runs it.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/build[^/]*/" "/\\\\.git/" "\\\\.deb\\$")
include(CPack)
