// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/mesh_panels.h"

#include "app/bridge/session_bridge.h"
#include "app/models/mesh_model.h"
#include "app/ui/mesh_view.h"

#include <QCoreApplication>
#include <QLabel>

namespace meshcraft::app {

namespace events = core::lab::events;

namespace {

// Stands in until the real panel exists; says what will be there.
QWidget *placeholder(const QString &text, const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(objectName);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setEnabled(false);
    return label;
}

} // namespace

MeshPanels createMeshPanels(SessionBridge &bridge, QWidget *parent)
{
    MeshPanels panels;
    auto *view = new MeshView(new MeshModel(parent), parent);
    MeshModel *model = view->model();
    model->setParent(view);
    panels.meshView = view;

    QObject::connect(&bridge, &SessionBridge::topologyChanged, model,
                     [model](const events::TopologyChanged &event) {
                         model->setTopology(event.topology);
                     });
    QObject::connect(&bridge, &SessionBridge::labOpened, model,
                     [model, &bridge](const events::LabOpened &) {
                         model->setTopology(bridge.topology());
                     });
    QObject::connect(&bridge, &SessionBridge::connectionEvent, model,
                     &MeshModel::applyConnection);
    QObject::connect(&bridge, &SessionBridge::cartStatsChanged, model,
                     &MeshModel::applyCartStats);
    QObject::connect(&bridge, &SessionBridge::worldRebuilt, model,
                     [model, &bridge](const events::WorldRebuilt &) {
                         model->clearTraffic();
                         model->setTopology(bridge.topology());
                     });

    panels.inspector = placeholder(QCoreApplication::translate("MeshPanels", "Inspector"),
                                   QStringLiteral("inspector"), parent);
    panels.timeline = placeholder(QCoreApplication::translate("MeshPanels", "Event timeline"),
                                  QStringLiteral("timeline"), parent);
    return panels;
}

} // namespace meshcraft::app
