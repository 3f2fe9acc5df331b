// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/mesh_panels.h"

#include <QCoreApplication>
#include <QLabel>

namespace meshcraft::app {

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
    Q_UNUSED(bridge);
    MeshPanels panels;
    panels.meshView = placeholder(QCoreApplication::translate("MeshPanels", "Mesh view"),
                                  QStringLiteral("meshView"), parent);
    panels.inspector = placeholder(QCoreApplication::translate("MeshPanels", "Inspector"),
                                   QStringLiteral("inspector"), parent);
    panels.timeline = placeholder(QCoreApplication::translate("MeshPanels", "Event timeline"),
                                  QStringLiteral("timeline"), parent);
    return panels;
}

} // namespace meshcraft::app
