// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QWidget;

namespace meshcraft::app {

class SessionBridge;

/// The panels of the mesh-view work (Mesh view, Inspector, Event timeline). The main window
/// calls createMeshPanels() once and docks what it returns: the mesh view as the central widget,
/// the inspector on the right, the timeline as a bottom tab beside the terminal. The widgets
/// take their data from `bridge` (its signals and queries) and are parented to `parent`.
/// mesh_panels.cpp belongs to the mesh-view work; the main window only docks the result.
struct MeshPanels
{
    QWidget *meshView = nullptr;
    QWidget *inspector = nullptr;
    QWidget *timeline = nullptr;
};

MeshPanels createMeshPanels(SessionBridge &bridge, QWidget *parent);

} // namespace meshcraft::app
