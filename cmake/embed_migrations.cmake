# Writes OUT as a C++ initializer list of {name, sql} pairs, one per FILES entry,
# in order. Used so the binary carries its schema and `concertd migrate` needs no files.
set(content "// Generated from schema/*.sql; do not edit.\n")
string(REPLACE "|" ";" FILES "${FILES}")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} sql)
  string(APPEND content "{\"${name}\", R\"sql(${sql})sql\"},\n")
endforeach()
file(WRITE ${OUT} "${content}")
