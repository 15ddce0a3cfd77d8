# khien_embed(TARGET target NAMESPACE ns FILES name=path ...)
# Compiles each file into the binary as `std::string_view ns::name()`, so the binary carries
# its migrations, API document and catalogues and never depends on the working directory.
function(khien_embed)
  cmake_parse_arguments(E "" "TARGET;NAMESPACE" "FILES" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${E_TARGET}_embedded.cpp")
  set(deps "")
  foreach(pair IN LISTS E_FILES)
    string(REPLACE "=" ";" kv "${pair}")
    list(GET kv 1 path)
    list(APPEND deps "${path}")
  endforeach()
  string(REPLACE ";" "|" files_arg "${E_FILES}")
  add_custom_command(OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${E_NAMESPACE} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
    DEPENDS ${deps} ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
    COMMENT "Embedding data into ${E_TARGET}" VERBATIM)
  target_sources(${E_TARGET} PRIVATE "${out}")
endfunction()
