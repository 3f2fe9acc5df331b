// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/models/mesh_model.h"

#include <QColor>
#include <QFont>
#include <QGraphicsItem>
#include <QLineF>
#include <QPainterPath>

namespace meshcraft::app {

/// The colours the mesh view draws with, from the palette (light or dark, D24). Each colour
/// goes with a shape or a word (D27).
struct MeshPalette
{
    QColor text;
    QColor mutedText;
    QColor nodeFill;
    QColor nodeBorder;
    QColor frame;
    QColor frameText;
    QColor ok;      ///< bytes flowed
    QColor active;  ///< open now
    QColor blocked; ///< UH, NR
    QColor failed;  ///< UF
    QColor idle;
    QColor focus;
    QColor selection;
    QColor labelBackground;

    static MeshPalette fromPalette(const QPalette &palette);
    QColor forRole(const QString &colourRole) const;
};

/// Draws `shape` centred on `centre` with `radius`, filled with `fill`, and `text` inside.
void paintOutcomeShape(QPainter *painter, OutcomeShape shape, const QPointF &centre, double radius,
                       const QColor &fill, const QString &text, const QFont &font);

/// A namespace, the cluster, the VPC or the mesh registry: a titled frame.
class MeshBoxItem : public QGraphicsItem
{
public:
    MeshBoxItem(const QString &title, const QRectF &rect, bool dashed, const MeshPalette *palette,
                const QFont *font);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QString m_title;
    QRectF m_rect;
    bool m_dashed;
    const MeshPalette *m_palette;
    const QFont *m_font;
};

/// One node: a workload with its sidecar badge, a gateway, a Service, a Memorystore instance, a
/// ServiceEntry host. A flow stopped at its proxy shows as a red octagon on the badge.
class MeshNodeItem : public QGraphicsItem
{
public:
    MeshNodeItem(const MeshNode &node, const MeshPalette *palette, const QFont *font);

    void setNode(const MeshNode &node);
    const MeshNode &node() const { return m_node; }
    void setFocused(bool focused);
    void setSelectedNode(bool selected);
    bool isSelectedNode() const { return m_selected; }

    /// Where a line towards `towards` leaves the node's outline (scene coordinates).
    QPointF borderPoint(const QPointF &towards) const;
    /// Where traffic towards `towards` leaves: the sidecar badge when it lies that way (traffic
    /// leaves a pod through its proxy), else the outline.
    QPointF exitPoint(const QPointF &towards) const;
    /// The sidecar badge's centre (scene coordinates): a stop is drawn there.
    QPointF badgeCentre() const;
    /// "blocked" with a stop, else "idle".
    QString colourRole() const;

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    static constexpr int Type = UserType + 1;
    int type() const override { return Type; }

private:
    QRectF body() const;
    QString kindCaption() const;

    MeshNode m_node;
    const MeshPalette *m_palette;
    const QFont *m_font;
    bool m_focused = false;
    bool m_selected = false;
};

/// One edge: a line from node to node with its live label. A lit edge (a flow just went
/// through) is drawn thicker in its outcome's colour with a dot travelling along it; it fades
/// back, and the outcome stays in the label.
class MeshEdgeItem : public QGraphicsItem
{
public:
    MeshEdgeItem(const MeshEdge &edge, const MeshPalette *palette, const QFont *font);

    void setEdge(const MeshEdge &edge);
    const MeshEdge &edge() const { return m_edge; }
    /// The ends, from the nodes' outlines; `stopAt` the source badge (for a stop).
    void setEnds(const QPointF &from, const QPointF &to, const QPointF &stopAt);
    /// Animation: how lit the edge is (0..1) and where the travelling dot is (0..1, <0 none).
    QLineF line() const { return {m_from, m_to}; }
    void setLit(double intensity, double dot);
    double lit() const { return m_lit; }
    void setHighlighted(bool highlighted);
    /// Where along the line its label sits (0..1): edges into one node keep theirs apart.
    void setLabelPosition(double t);

    QString colourRole() const;
    OutcomeShape outcomeShape() const { return shapeOf(m_edge.lastOutcome); }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    static constexpr int Type = UserType + 2;
    int type() const override { return Type; }

private:
    QPointF labelAnchor() const;
    QRectF labelRect() const;

    MeshEdge m_edge;
    const MeshPalette *m_palette;
    const QFont *m_font;
    QPointF m_from;
    QPointF m_to;
    QPointF m_stopAt;
    double m_lit = 0.0;
    double m_dot = -1.0;
    bool m_highlighted = false;
    double m_labelAt = 0.55;
};

} // namespace meshcraft::app
