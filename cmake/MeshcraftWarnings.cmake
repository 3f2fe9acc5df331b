# SPDX-License-Identifier: GPL-3.0-or-later
# Warning sets as INTERFACE targets: every target opts in, core adds -Wconversion.
add_library(meshcraft_warnings INTERFACE)
target_compile_options(meshcraft_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)

add_library(meshcraft_core_warnings INTERFACE)
target_link_libraries(meshcraft_core_warnings INTERFACE meshcraft_warnings)
target_compile_options(meshcraft_core_warnings INTERFACE -Wconversion -Wsign-conversion)

# meshcraft_add_core_module(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# One folder, one static target meshcraft_core_<name>, alias meshcraft::core::<name>.
function(meshcraft_add_core_module name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
    set(target meshcraft_core_${name})
    add_library(${target} STATIC ${ARG_SOURCES})
    add_library(meshcraft::core::${name} ALIAS ${target})
    target_compile_features(${target} PUBLIC cxx_std_20)
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS} meshcraft_core_warnings)
endfunction()
