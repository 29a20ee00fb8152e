# lsoe_install_man(TARGET PAGE...): install manual pages (paths relative to the calling
# directory) into <mandir>/man<section>, compressed as Debian wants them: gzip -9n at build time
# (no name, no time stamp: the same page gives the same bytes), by the custom target TARGET.
# Uncompressed when there is no gzip. Default install component: `cmake --install` and the
# Debian package (packaging/deb/package.cmake) both install them.
include_guard(GLOBAL)
include(GNUInstallDirs)
find_program(LSOE_GZIP gzip)
mark_as_advanced(LSOE_GZIP)

function(lsoe_install_man target)
  set(outs "")
  foreach(page ${ARGN})
    get_filename_component(name ${page} NAME)
    get_filename_component(src ${page} ABSOLUTE)
    string(REGEX MATCH "[0-9]$" section ${name})
    if(NOT section)
      message(FATAL_ERROR "lsoe_install_man: ${page} does not end in a section number")
    endif()
    if(LSOE_GZIP)
      set(dir ${CMAKE_CURRENT_BINARY_DIR}/man)
      add_custom_command(OUTPUT ${dir}/${name}.gz
        COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
        COMMAND ${CMAKE_COMMAND} -E copy ${src} ${dir}/${name}
        COMMAND ${LSOE_GZIP} -9nf ${dir}/${name}
        DEPENDS ${src} COMMENT "Compressing the manual page ${name}" VERBATIM)
      list(APPEND outs ${dir}/${name}.gz)
      install(FILES ${dir}/${name}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
    else()
      install(FILES ${src} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
    endif()
  endforeach()
  if(outs)
    add_custom_target(${target} ALL DEPENDS ${outs})
  endif()
endfunction()
