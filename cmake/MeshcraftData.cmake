# SPDX-License-Identifier: GPL-3.0-or-later
# Run-time data (Istio schemas, Helm values, labs) is laid out under <build>/share/meshcraft,
# the same relative place as an installed tree, so the binary finds it next to itself.
set(MESHCRAFT_BUILD_DATADIR ${CMAKE_BINARY_DIR}/share/meshcraft)
add_custom_target(meshcraft_data ALL
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MESHCRAFT_BUILD_DATADIR}
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${PROJECT_SOURCE_DIR}/resources/data
            ${MESHCRAFT_BUILD_DATADIR}
    COMMENT "Laying out run-time data under share/meshcraft")
if(EXISTS ${PROJECT_SOURCE_DIR}/labs)
    add_custom_command(TARGET meshcraft_data POST_BUILD
        COMMAND ${CMAKE_COMMAND} -E copy_directory ${PROJECT_SOURCE_DIR}/labs
                ${MESHCRAFT_BUILD_DATADIR}/labs)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/data/ DESTINATION ${CMAKE_INSTALL_DATADIR}/meshcraft)
if(EXISTS ${PROJECT_SOURCE_DIR}/labs)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/labs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/meshcraft/labs)
endif()
