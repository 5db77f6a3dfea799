# The catalog's schema lives in src/music/schema/vN.{sqlite,postgres}.sql,
# one pair per migration, so it reads (and diffs) as SQL. This embeds them in
# a generated header, catalog_schema_sql.h, as raw string literals; editing a
# .sql file re-runs the configure step. Nothing is downloaded.
#
# moodtune_catalog_schema(target): target's sources can include
# "catalog_schema_sql.h".
set(MOODTUNE_SCHEMA_DIR ${CMAKE_CURRENT_LIST_DIR}/../src/music/schema)

function(moodtune_catalog_schema target)
  file(GLOB sqlite_files ${MOODTUNE_SCHEMA_DIR}/v*.sqlite.sql)
  list(LENGTH sqlite_files count)
  set(entries "")
  foreach(version RANGE 1 ${count})
    foreach(dialect sqlite postgres)
      set(file ${MOODTUNE_SCHEMA_DIR}/v${version}.${dialect}.sql)
      if(NOT EXISTS ${file})
        message(FATAL_ERROR "catalog schema: ${file} is missing (every migration needs both dialects)")
      endif()
      file(READ ${file} sql_${dialect})
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
    endforeach()
    string(APPEND entries "    {R\"moodtune_sql(${sql_sqlite})moodtune_sql\",\n     R\"moodtune_sql(${sql_postgres})moodtune_sql\"},\n")
  endforeach()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/generated)
  file(CONFIGURE OUTPUT ${dir}/catalog_schema_sql.h CONTENT "// Generated from src/music/schema/*.sql by cmake/CatalogSchema.cmake: edit those.
#pragma once
#include \"music/catalog_schema.h\"

namespace moodtune {
inline constexpr SchemaMigration kCatalogMigrations[] = {
@entries@};
}  // namespace moodtune
" @ONLY)
  target_include_directories(${target} PRIVATE ${dir})
endfunction()
