// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/mesh_layout.h"

#include <QCoreApplication>
#include <algorithm>
#include <climits>

namespace meshcraft::app {

namespace {

constexpr int GatewayColumn = 2;
constexpr int VpcColumn = 3;
constexpr int MinNamespaceRows = 3;
constexpr double BandGap = 34.0; // between istio-system's band and the namespaces below

const QString DefaultNs = QStringLiteral("default");
const QString IstioNs = QStringLiteral("istio-system");

// Services columns (0, -2, -4 …) are narrower: a Service is a short pill.
bool isServicesColumn(int column)
{
    return column <= 0 && column % 2 == 0;
}

double columnWidth(int column)
{
    return isServicesColumn(column) ? MeshLayout::ServiceCellWidth : MeshLayout::CellWidth;
}

double columnLeft(int column)
{
    double x = 0.0;
    for (int c = 0; c < column; ++c) {
        x += columnWidth(c);
    }
    for (int c = column; c < 0; ++c) {
        x -= columnWidth(c);
    }
    return x;
}

QRectF cellRect(int column, int row)
{
    const double y = row * MeshLayout::CellHeight + (row >= 1 ? BandGap : 0.0);
    return {columnLeft(column), y, columnWidth(column), MeshLayout::CellHeight};
}

QRectF cellsRect(int firstColumn, int lastColumn, int firstRow, int lastRow)
{
    return cellRect(firstColumn, firstRow).united(cellRect(lastColumn, lastRow));
}

} // namespace

QPoint MeshLayout::nextSlot(const MeshNode &node)
{
    const auto take = [this](const QString &area) { return m_used[area]++; };
    switch (node.kind) {
    case MeshNodeKind::Memorystore:
    case MeshNodeKind::External:
        return {VpcColumn, 1 + take(QStringLiteral("vpc"))};
    case MeshNodeKind::ServiceEntry:
        return {VpcColumn + take(QStringLiteral("registry")), 0};
    case MeshNodeKind::Workload:
    case MeshNodeKind::Gateway:
    case MeshNodeKind::Service:
        break;
    }
    if (node.nameSpace == IstioNs) {
        return {GatewayColumn - take(IstioNs), 0};
    }
    int servicesColumn = 0;
    if (node.nameSpace != DefaultNs) {
        if (!m_otherNamespaces.contains(node.nameSpace)) {
            m_otherNamespaces << node.nameSpace;
        }
        servicesColumn = -2 * static_cast<int>(m_otherNamespaces.indexOf(node.nameSpace) + 1);
    }
    if (node.kind == MeshNodeKind::Service) {
        return {servicesColumn, 1 + take(node.nameSpace + QStringLiteral(":svc"))};
    }
    return {servicesColumn + 1, 1 + take(node.nameSpace + QStringLiteral(":pods"))};
}

void MeshLayout::update(const std::vector<MeshNode> &nodes)
{
    for (const MeshNode &node : nodes) {
        if (!m_slots.contains(node.id)) {
            m_slots.insert(node.id, nextSlot(node));
        }
    }
}

QPointF MeshLayout::position(const QString &nodeId) const
{
    const auto it = m_slots.find(nodeId);
    if (it == m_slots.end()) {
        return {};
    }
    return cellRect(it->x(), it->y()).center();
}

std::vector<MeshLayout::Box> MeshLayout::boxes(const std::vector<MeshNode> &nodes) const
{
    const auto tr = [](const char *text) {
        return QCoreApplication::translate("MeshLayout", text);
    };
    // The rows each namespace uses, and the leftmost column istio-system reaches.
    QHash<QString, int> lastRow;
    int istioFirstColumn = 0;
    int vpcLastRow = 1;
    int registryLastColumn = -1;
    for (const MeshNode &node : nodes) {
        const QPoint s = slot(node.id);
        if (node.kind == MeshNodeKind::Memorystore || node.kind == MeshNodeKind::External) {
            vpcLastRow = std::max(vpcLastRow, s.y());
        } else if (node.kind == MeshNodeKind::ServiceEntry) {
            registryLastColumn = std::max(registryLastColumn, s.x());
        } else if (node.nameSpace == IstioNs) {
            istioFirstColumn = std::min(istioFirstColumn, s.x());
        } else {
            lastRow[node.nameSpace] = std::max(lastRow.value(node.nameSpace, 0), s.y());
        }
    }
    const int rows = std::max(MinNamespaceRows, lastRow.value(DefaultNs, 0));
    std::vector<Box> out;
    QRectF cluster;
    const auto addNamespace = [&](const QString &title, const QRectF &cells) {
        out.push_back({title, cells.adjusted(6, 4, -6, -4), false});
        cluster = cluster.isNull() ? cells : cluster.united(cells);
    };
    addNamespace(tr("namespace %1").arg(IstioNs),
                 cellsRect(std::min(0, istioFirstColumn), GatewayColumn, 0, 0));
    addNamespace(tr("namespace %1").arg(DefaultNs), cellsRect(0, GatewayColumn, 1, rows));
    for (qsizetype i = 0; i < m_otherNamespaces.size(); ++i) {
        const int column = -2 * static_cast<int>(i + 1);
        addNamespace(tr("namespace %1").arg(m_otherNamespaces.at(i)),
                     cellsRect(column, column + 1, 1,
                               std::max(MinNamespaceRows, lastRow.value(m_otherNamespaces.at(i)))));
    }
    // The cluster frame goes first so that it is drawn under its namespaces.
    out.insert(out.begin(), Box{tr("Kubernetes cluster"), cluster.adjusted(-4, -26, 4, 4), false});
    out.push_back(
        {tr("VPC network"),
         cellsRect(VpcColumn, VpcColumn, 1, std::max(rows, vpcLastRow)).adjusted(14, 4, 0, -4),
         false});
    if (registryLastColumn >= VpcColumn) {
        out.push_back({tr("mesh registry (ServiceEntry)"),
                       cellsRect(VpcColumn, registryLastColumn, 0, 0).adjusted(14, 4, 0, -4),
                       true});
    }
    return out;
}

} // namespace meshcraft::app
