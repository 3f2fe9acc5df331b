// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/models/mesh_model.h"

#include <QHash>
#include <QPoint>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <vector>

namespace meshcraft::app {

/// Where each node of the mesh view sits. Slots are handed out once per node id, in the order
/// nodes first appear, and never taken back, so adding a pod never moves another.
///
/// The picture (columns left to right):
///   cluster: [Services | Pods | lane with the gateways above it]   then   VPC: [Memorystore, …]
/// istio-system is a band along the cluster's top with its gateways at the right, above the
/// lane, so a path through the gateway bends visibly up while a direct path (which leaves the
/// pods' sidecars to the right, below the band) does not touch it.
/// ServiceEntry hosts sit above the VPC. Other namespaces open to the left of `default`.
class MeshLayout
{
public:
    struct Box
    {
        QString title;
        QRectF rect;
        bool dashed = false;
    };

    /// Assigns slots to the nodes that have none yet (in `nodes`' order).
    void update(const std::vector<MeshNode> &nodes);
    /// The centre of a node (its slot); a null point for an unknown id.
    QPointF position(const QString &nodeId) const;
    /// The node's slot as (column, row), for keyboard navigation and tests.
    QPoint slot(const QString &nodeId) const { return m_slots.value(nodeId); }
    /// The frames to draw: the cluster, its namespaces, the mesh registry and the VPC.
    std::vector<Box> boxes(const std::vector<MeshNode> &nodes) const;

    /// A node's drawn size; Services are narrower pills.
    static QSizeF nodeSize(MeshNodeKind kind)
    {
        return {(kind == MeshNodeKind::Service ? ServiceCellWidth : CellWidth) - 46.0,
                CellHeight - 34.0};
    }

    static constexpr double CellWidth = 200.0;
    static constexpr double ServiceCellWidth = 160.0;
    static constexpr double CellHeight = 96.0;

private:
    QPoint nextSlot(const MeshNode &node);

    QHash<QString, QPoint> m_slots; ///< node id -> (column, row)
    QHash<QString, int> m_used;     ///< area -> slots handed out
    QStringList m_otherNamespaces;  ///< first-seen order, left of default
};

} // namespace meshcraft::app
