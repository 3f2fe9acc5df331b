// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/mesh_panels.h"

#include "app/bridge/session_bridge.h"
#include "app/models/mesh_model.h"
#include "app/ui/editor_panel.h"
#include "app/ui/inspector_panel.h"
#include "app/ui/main_window.h"
#include "app/ui/mesh_view.h"
#include "app/ui/timeline_panel.h"

#include <QDockWidget>
#include <Qsci/qsciscintilla.h>

namespace meshcraft::app {

namespace events = core::lab::events;

namespace {

// Shows a dock of the window the panels live in (the window docks them after creating them).
void raiseDock(QWidget *parent, QDockWidget *(MainWindow::*dock)() const)
{
    if (auto *window = qobject_cast<MainWindow *>(parent)) {
        if (QDockWidget *d = (window->*dock)()) {
            d->show();
            d->raise();
        }
    }
}

// Opens a trace's cause in the editor at its line. Provenance names a file as the lab does
// ("redis-serviceentry.yaml"); the editor wants the workspace's path.
void openInEditor(SessionBridge &bridge, QWidget *parent, const QString &file, int line)
{
    auto *window = qobject_cast<MainWindow *>(parent);
    if (!window || !window->editor()) {
        return;
    }
    QString path = file;
    for (const QString &candidate : bridge.workspaceFiles()) {
        if (candidate == file || candidate.endsWith(QLatin1Char('/') + file)) {
            path = candidate;
        }
    }
    raiseDock(parent, &MainWindow::editorDock);
    window->editor()->openFile(path);
    if (QsciScintilla *editor = window->editor()->currentEditor(); editor && line > 0) {
        editor->setCursorPosition(line - 1, 0);
        editor->ensureLineVisible(line - 1);
        editor->setFocus();
    }
}

} // namespace

MeshPanels createMeshPanels(SessionBridge &bridge, QWidget *parent)
{
    MeshPanels panels;
    auto *view = new MeshView(new MeshModel(parent), parent);
    MeshModel *model = view->model();
    model->setParent(view);
    panels.meshView = view;

    QObject::connect(
        &bridge, &SessionBridge::topologyChanged, model,
        [model](const events::TopologyChanged &event) { model->setTopology(event.topology); });
    QObject::connect(
        &bridge, &SessionBridge::labOpened, model,
        [model, &bridge](const events::LabOpened &) { model->setTopology(bridge.topology()); });
    QObject::connect(&bridge, &SessionBridge::connectionEvent, model, &MeshModel::applyConnection);
    QObject::connect(&bridge, &SessionBridge::cartStatsChanged, model, &MeshModel::applyCartStats);
    QObject::connect(&bridge, &SessionBridge::worldRebuilt, model,
                     [model, &bridge](const events::WorldRebuilt &) {
                         model->clearTraffic();
                         model->setTopology(bridge.topology());
                     });

    auto *inspector = new InspectorPanel(bridge, model, parent);
    panels.inspector = inspector;
    auto *timeline = new TimelinePanel(bridge, parent);
    panels.timeline = timeline;

    QObject::connect(view, &MeshView::nodeActivated, inspector,
                     [inspector, parent](const QString &id) {
                         inspector->showNode(id);
                         raiseDock(parent, &MainWindow::inspectorDock);
                     });
    const auto showFlow = [view, inspector, parent](std::uint64_t traceId) {
        view->highlightFlow(traceId);
        inspector->showTrace(traceId);
        raiseDock(parent, &MainWindow::inspectorDock);
    };
    QObject::connect(view, &MeshView::flowActivated, inspector, showFlow);
    QObject::connect(timeline, &TimelinePanel::flowSelected, inspector, showFlow);
    QObject::connect(timeline, &TimelinePanel::nodeSelected, inspector,
                     [view, inspector, model, parent](const QString &proxyOrPod) {
                         const MeshNode *node = model->findNode(proxyOrPod);
                         if (!node) {
                             return;
                         }
                         view->selectNode(node->id);
                         inspector->showNode(node->id);
                         raiseDock(parent, &MainWindow::inspectorDock);
                     });
    QObject::connect(inspector, &InspectorPanel::openFileRequested, inspector,
                     [&bridge, parent](const QString &file, int line) {
                         openInEditor(bridge, parent, file, line);
                     });
    return panels;
}

} // namespace meshcraft::app
