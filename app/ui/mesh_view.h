// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/models/mesh_model.h"
#include "app/ui/mesh_items.h"
#include "app/ui/mesh_layout.h"

#include <QFont>
#include <QGraphicsView>
#include <QHash>
#include <QLineF>
#include <QPoint>
#include <QPointF>
#include <QTimer>
#include <cstdint>

class QGraphicsScene;

namespace meshcraft::app {

/// The mesh drawn live (Kiali's graph for one lab): the cluster with its namespaces, pods with
/// their istio-proxy badges, the egress gateway and Services; outside it the VPC's Memorystore
/// instances and the ServiceEntry hosts. Connections light their path hop by hop; a
/// BlackHoleCluster stop is a red octagon "UH" at the sidecar, a failed upstream an amber
/// triangle "UF" (D27: shape and label as well as colour). The last outcome stays on the edge.
///
/// Keyboard: Tab/Shift+Tab and the arrow keys move between nodes, Enter selects, Escape clears;
/// Ctrl++ / Ctrl+- / Ctrl+0 (and the wheel) zoom. Clicking a node selects it (nodeActivated);
/// clicking an edge shows its last connection (flowActivated).
class MeshView : public QGraphicsView
{
    Q_OBJECT

public:
    /// `model` must outlive the view.
    explicit MeshView(MeshModel *model, QWidget *parent = nullptr);

    MeshModel *model() const { return m_model; }

    /// What a test can assert of a node.
    struct NodeState
    {
        bool exists = false;
        QString id;
        QString kind;   ///< "workload", "gateway", "service", "memorystore", …
        QString label;  ///< the name as drawn
        QString detail; ///< the second line
        bool sidecar = false;
        QString colourRole; ///< "blocked" with a stop, else "idle"
        QString stopLabel;  ///< "UH", "NR", or empty
        QString stopShape;  ///< "octagon", "diamond", or "none"
        bool selected = false;
        QPoint slot;
        QPointF position;
    };
    /// What a test can assert of an edge.
    struct EdgeState
    {
        bool exists = false;
        QString colourRole; ///< "ok", "active", "blocked", "failed", "idle"
        QString label;      ///< the live label as drawn
        QString shape;      ///< the last outcome's shape: "circle", "octagon", "triangle", …
        QString outcome;    ///< "OK", "UH", "UF", "NR", "open", or empty
        QString cluster;
        bool lit = false; ///< a flow is animating on it now
        int active = 0;
        std::uint64_t lastTraceId = 0;
        QLineF line; ///< scene coordinates, from source to target
    };

    /// `name`: a node id, workload, pod or instance name, or proxy id.
    NodeState nodeState(const QString &name) const;
    EdgeState edgeState(const QString &from, const QString &to) const;
    /// The node ids of the last flow that started at `name` (where its bytes went).
    QStringList lastPathFrom(const QString &name) const;

    QString selectedNode() const { return m_selected; }
    QString focusedNode() const { return m_focused; }
    /// Selects a node (no signal); an empty id clears the selection.
    void selectNode(const QString &nodeId);
    /// Thickens the edges of a flow (the timeline or the inspector chose it).
    void highlightFlow(std::uint64_t traceId);
    double zoomFactor() const;

public slots:
    void zoomIn();
    void zoomOut();
    /// Fits the picture to the view again, and keeps fitting it as the view resizes.
    void resetZoom();

signals:
    void nodeActivated(const QString &nodeId);
    void flowActivated(std::uint64_t traceId);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool focusNextPrevChild(bool next) override;
    void focusInEvent(QFocusEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void rebuildNodes();
    void syncEdges();
    void placeEdge(MeshEdgeItem *item);
    void startFlowAnimation(std::uint64_t traceId);
    void animate();
    void setFocusedNode(const QString &nodeId);
    void moveFocus(int dx, int dy);
    QStringList nodesInTabOrder() const;
    void scaleBy(double factor);
    void fitIfAuto();

    MeshModel *m_model;
    QGraphicsScene *m_scene;
    MeshLayout m_layout;
    MeshPalette m_palette;
    QFont m_font;
    QHash<QString, MeshNodeItem *> m_nodeItems;
    QHash<QString, MeshEdgeItem *> m_edgeItems; ///< by MeshEdge::key()
    QList<QGraphicsItem *> m_boxItems;
    /// Edge key -> when its light starts (model clock, ms); hops of one flow start in turn.
    QHash<QString, qint64> m_animations;
    QTimer m_animationTimer;
    QString m_selected;
    QString m_focused;
    std::uint64_t m_highlightedTrace = 0;
    bool m_autoFit = true;
};

} // namespace meshcraft::app
