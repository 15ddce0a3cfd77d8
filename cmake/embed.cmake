# khien_embed(TARGET target NAMESPACE ns [TABLE fn] FILES name=path ...)
# Compiles each file into the binary as `std::string_view ns::name()`, so the binary carries
# its migrations, API document and catalogues and never depends on the working directory.
# With TABLE, `std::vector<khien::embedded::File> ns::fn()` lists every file with its name.
function(khien_embed)
  cmake_parse_arguments(E "" "TARGET;NAMESPACE;TABLE" "FILES" ${ARGN})
  if(NOT E_TABLE)
    set(E_TABLE "")
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${E_TARGET}_${E_TABLE}embedded.cpp")
  set(deps "")
  foreach(pair IN LISTS E_FILES)
    string(REPLACE "=" ";" kv "${pair}")
    list(GET kv 1 path)
    list(APPEND deps "${path}")
  endforeach()
  string(REPLACE ";" "|" files_arg "${E_FILES}")
  add_custom_command(OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${E_NAMESPACE} "-DTABLE=${E_TABLE}" "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
    DEPENDS ${deps} ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
    COMMENT "Embedding data into ${E_TARGET}" VERBATIM)
  target_sources(${E_TARGET} PRIVATE "${out}")
endfunction()
