// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/mesh_items.h"

#include "app/ui/mesh_layout.h"
#include "app/ui/theme.h"

#include <QCoreApplication>
#include <QCursor>
#include <QFontMetricsF>
#include <QLineF>
#include <QPainter>
#include <QPalette>
#include <QPolygonF>
#include <QtMath>
#include <cmath>

namespace meshcraft::app {

namespace {

constexpr double BadgeWidth = 30.0;
constexpr double StopRadius = 15.0;

QString tr(const char *text)
{
    return QCoreApplication::translate("MeshItems", text);
}

QFont scaledFont(const QFont &base, double factor, bool bold = false)
{
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() * factor);
    font.setBold(bold);
    return font;
}

QPolygonF regularPolygon(const QPointF &centre, double radius, int corners, double rotation)
{
    QPolygonF polygon;
    for (int i = 0; i < corners; ++i) {
        const double angle = rotation + 2.0 * M_PI * i / corners;
        polygon << centre + QPointF(radius * std::cos(angle), radius * std::sin(angle));
    }
    return polygon;
}

// Where the segment from the rectangle's centre towards `towards` crosses its outline.
QPointF rectBorderPoint(const QRectF &rect, const QPointF &towards)
{
    const QPointF c = rect.center();
    const QPointF d = towards - c;
    if (qFuzzyIsNull(d.x()) && qFuzzyIsNull(d.y())) {
        return c;
    }
    const double sx = std::abs(d.x()) > 1e-9 ? (rect.width() / 2.0) / std::abs(d.x()) : 1e9;
    const double sy = std::abs(d.y()) > 1e-9 ? (rect.height() / 2.0) / std::abs(d.y()) : 1e9;
    return c + d * std::min(sx, sy);
}

} // namespace

MeshPalette MeshPalette::fromPalette(const QPalette &palette)
{
    const bool dark = theme::isDark(palette);
    const theme::Colors colours = theme::colors(dark);
    MeshPalette p;
    p.text = palette.color(QPalette::Text);
    p.mutedText = palette.color(QPalette::PlaceholderText);
    p.nodeFill = palette.color(QPalette::Base);
    p.nodeBorder = palette.color(QPalette::Mid);
    p.frame = dark ? palette.color(QPalette::Light) : palette.color(QPalette::Mid);
    p.frameText = palette.color(QPalette::WindowText);
    p.ok = colours.passed;
    p.active = colours.current;
    p.blocked = colours.failed;
    p.failed = dark ? QColor(0xff, 0xb0, 0x3b) : QColor(0xc2, 0x6a, 0x00);
    p.idle = colours.pending;
    p.focus = palette.color(QPalette::Highlight);
    p.selection = palette.color(QPalette::Highlight);
    p.selection.setAlpha(50);
    p.labelBackground = palette.color(QPalette::Base);
    p.labelBackground.setAlpha(230);
    return p;
}

QColor MeshPalette::forRole(const QString &colourRole) const
{
    if (colourRole == QLatin1String("ok")) {
        return ok;
    }
    if (colourRole == QLatin1String("active")) {
        return active;
    }
    if (colourRole == QLatin1String("blocked")) {
        return blocked;
    }
    if (colourRole == QLatin1String("failed")) {
        return failed;
    }
    return idle;
}

void paintOutcomeShape(QPainter *painter, OutcomeShape shape, const QPointF &centre, double radius,
                       const QColor &fill, const QString &text, const QFont &font)
{
    QPolygonF polygon;
    switch (shape) {
    case OutcomeShape::None:
        return;
    case OutcomeShape::Circle:
        break;
    case OutcomeShape::Octagon:
        polygon = regularPolygon(centre, radius, 8, M_PI / 8.0);
        break;
    case OutcomeShape::Triangle:
        polygon = regularPolygon(centre + QPointF(0, radius * 0.15), radius * 1.15, 3, -M_PI / 2);
        break;
    case OutcomeShape::Diamond:
        polygon = regularPolygon(centre, radius * 1.1, 4, 0.0);
        break;
    }
    painter->save();
    painter->setPen(QPen(fill.darker(130), 1.5));
    painter->setBrush(fill);
    if (shape == OutcomeShape::Circle) {
        painter->drawEllipse(centre, radius * 0.8, radius * 0.8);
    } else {
        painter->drawPolygon(polygon);
    }
    if (!text.isEmpty()) {
        // White on the saturated fills; the amber triangle takes black, as road signs do.
        painter->setPen(shape == OutcomeShape::Triangle ? QColor(Qt::black) : QColor(Qt::white));
        QFont bold = scaledFont(font, radius > 12 ? 0.8 : 0.7, true);
        painter->setFont(bold);
        painter->drawText(
            QRectF(centre.x() - radius,
                   centre.y() - radius + (shape == OutcomeShape::Triangle ? radius * 0.25 : 0.0),
                   2 * radius, 2 * radius),
            Qt::AlignCenter, text);
    }
    painter->restore();
}

// ---- MeshBoxItem --------------------------------------------------------------------------

MeshBoxItem::MeshBoxItem(const QString &title, const QRectF &rect, bool dashed,
                         const MeshPalette *palette, const QFont *font)
    : m_title(title), m_rect(rect), m_dashed(dashed), m_palette(palette), m_font(font)
{
    setZValue(-10);
}

QRectF MeshBoxItem::boundingRect() const
{
    return m_rect.adjusted(-2, -2, 2, 2);
}

void MeshBoxItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    QPen pen(m_palette->frame, 1.2, m_dashed ? Qt::DashLine : Qt::SolidLine);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(m_rect, 8, 8);
    painter->setPen(m_palette->frameText);
    painter->setFont(scaledFont(*m_font, 0.85, true));
    painter->drawText(m_rect.adjusted(10, 3, -10, 0), Qt::AlignLeft | Qt::AlignTop, m_title);
}

// ---- MeshNodeItem -------------------------------------------------------------------------

MeshNodeItem::MeshNodeItem(const MeshNode &node, const MeshPalette *palette, const QFont *font)
    : m_node(node), m_palette(palette), m_font(font)
{
    setFlag(ItemIsSelectable, false);
    setAcceptHoverEvents(true);
    setCursor(QCursor(Qt::PointingHandCursor));
    setZValue(10);
    setToolTip(node.id);
}

void MeshNodeItem::setNode(const MeshNode &node)
{
    m_node = node;
    setToolTip(node.id);
    update();
}

void MeshNodeItem::setFocused(bool focused)
{
    if (m_focused != focused) {
        m_focused = focused;
        update();
    }
}

void MeshNodeItem::setSelectedNode(bool selected)
{
    if (m_selected != selected) {
        m_selected = selected;
        update();
    }
}

QRectF MeshNodeItem::body() const
{
    const QSizeF size = MeshLayout::nodeSize(m_node.kind);
    return {-size.width() / 2, -size.height() / 2, size.width(), size.height()};
}

QRectF MeshNodeItem::boundingRect() const
{
    // Room for the focus ring, the stop's octagon and its caption under the node.
    return body().adjusted(-8, -8, BadgeWidth / 2 + StopRadius + 4, 8);
}

QPainterPath MeshNodeItem::shape() const
{
    QPainterPath path;
    path.addRect(body().adjusted(-4, -4, 4, 4));
    return path;
}

QPointF MeshNodeItem::borderPoint(const QPointF &towards) const
{
    return rectBorderPoint(body().translated(pos()), towards);
}

QPointF MeshNodeItem::exitPoint(const QPointF &towards) const
{
    const QRectF b = body().translated(pos());
    if (m_node.sidecar && towards.x() > b.right()) {
        return {b.right() + BadgeWidth / 2, pos().y()};
    }
    return borderPoint(towards);
}

QPointF MeshNodeItem::badgeCentre() const
{
    const QRectF b = body();
    return pos() + QPointF(b.right(), 0);
}

QString MeshNodeItem::colourRole() const
{
    return colourRoleOf(m_node.stop);
}

QString MeshNodeItem::kindCaption() const
{
    switch (m_node.kind) {
    case MeshNodeKind::Workload:
        return m_node.podName == m_node.name ? tr("pod") : tr("deployment");
    case MeshNodeKind::Gateway:
        return tr("egress gateway");
    case MeshNodeKind::Service:
        return tr("service");
    case MeshNodeKind::Memorystore:
        return tr("Memorystore");
    case MeshNodeKind::ServiceEntry:
        return tr("ServiceEntry host");
    case MeshNodeKind::External:
        return tr("address");
    }
    return {};
}

void MeshNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF b = body();
    QPen border(m_palette->nodeBorder, 1.4);
    if (m_node.kind == MeshNodeKind::ServiceEntry || m_node.kind == MeshNodeKind::External) {
        border.setStyle(Qt::DashLine);
    }
    if (m_node.kind == MeshNodeKind::Gateway) {
        border.setWidth(2);
        border.setColor(m_palette->active);
    }
    painter->setPen(border);
    painter->setBrush(m_selected ? m_palette->selection : QBrush(m_palette->nodeFill));

    switch (m_node.kind) {
    case MeshNodeKind::Service:
    case MeshNodeKind::External:
        painter->drawRoundedRect(b, b.height() / 2, b.height() / 2);
        break;
    case MeshNodeKind::Memorystore: {
        // A cylinder: the database symbol.
        const double lip = 7.0;
        QPainterPath can;
        can.moveTo(b.left(), b.top() + lip);
        can.lineTo(b.left(), b.bottom() - lip);
        can.arcTo(QRectF(b.left(), b.bottom() - 2 * lip, b.width(), 2 * lip), 180, 180);
        can.lineTo(b.right(), b.top() + lip);
        can.arcTo(QRectF(b.left(), b.top(), b.width(), 2 * lip), 0, 180);
        painter->drawPath(can);
        painter->drawArc(QRectF(b.left(), b.top(), b.width(), 2 * lip), 180 * 16, 180 * 16);
        break;
    }
    default:
        painter->drawRoundedRect(b, 6, 6);
        break;
    }
    if (m_node.kind == MeshNodeKind::Gateway) {
        painter->drawRoundedRect(b.adjusted(3, 3, -3, -3), 4, 4);
    }

    // Text: the kind, the name (bold), the detail.
    const double badgeRoom = (m_node.sidecar ? BadgeWidth / 2 + 2 : 0);
    const QRectF text = b.adjusted(10, 5, -10 - badgeRoom, -5);
    const QFont captionFont = scaledFont(*m_font, 0.78);
    const QFont nameFont = scaledFont(*m_font, 1.0, true);
    const QFontMetricsF captionMetrics(captionFont);
    QString caption = kindCaption();
    if (!m_node.nameSpace.isEmpty() && m_node.kind != MeshNodeKind::Service &&
        m_node.kind != MeshNodeKind::Workload) {
        caption += QStringLiteral(" · ") + m_node.nameSpace;
    }
    // A stop is said in words too, in the node itself (nothing to collide with there).
    if (m_node.stop != MeshOutcome::None) {
        caption = tr("stopped: %1 %2").arg(outcomeLabel(m_node.stop), m_node.stopDetail);
        painter->setPen(m_palette->forRole(colourRoleOf(m_node.stop)));
        painter->setFont(scaledFont(*m_font, 0.78, true));
    } else {
        painter->setPen(m_palette->mutedText);
        painter->setFont(captionFont);
    }
    painter->drawText(text, Qt::AlignLeft | Qt::AlignTop,
                      captionMetrics.elidedText(caption, Qt::ElideRight, text.width()));
    // Long names ("istio-egressgateway") shrink a little before they elide.
    QFont fitted = nameFont;
    for (double factor = 0.95;
         factor >= 0.75 && QFontMetricsF(fitted).horizontalAdvance(m_node.name) > text.width();
         factor -= 0.05) {
        fitted = scaledFont(*m_font, factor, true);
    }
    painter->setPen(m_palette->text);
    painter->setFont(fitted);
    painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetricsF(fitted).elidedText(m_node.name, Qt::ElideMiddle, text.width()));
    painter->setPen(m_palette->mutedText);
    painter->setFont(captionFont);
    painter->drawText(text, Qt::AlignLeft | Qt::AlignBottom,
                      captionMetrics.elidedText(m_node.detail, Qt::ElideRight, text.width()));

    // The istio-proxy badge: a small tab on the right edge, where traffic leaves the pod.
    if (m_node.sidecar) {
        const QRectF badge(b.right() - BadgeWidth / 2, -b.height() / 2 + 6, BadgeWidth,
                           b.height() - 12);
        painter->setPen(QPen(m_palette->active, 1.2));
        painter->setBrush(m_palette->nodeFill);
        painter->drawRoundedRect(badge, 4, 4);
        painter->save();
        painter->translate(badge.center());
        painter->rotate(-90);
        painter->setPen(m_palette->active);
        painter->setFont(scaledFont(*m_font, 0.62, true));
        painter->drawText(
            QRectF(-badge.height() / 2, -badge.width() / 2, badge.height(), badge.width()),
            Qt::AlignCenter, QStringLiteral("proxy"));
        painter->restore();
    }

    if (m_node.stop != MeshOutcome::None) {
        const QPointF centre(b.right(), 0);
        paintOutcomeShape(painter, shapeOf(m_node.stop), centre, StopRadius,
                          m_palette->forRole(colourRoleOf(m_node.stop)), outcomeLabel(m_node.stop),
                          *m_font);
    }

    if (m_focused) {
        QPen ring(m_palette->focus, 2.5, Qt::DashLine);
        painter->setPen(ring);
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(b.adjusted(-5, -5, 5, 5), 9, 9);
    }
}

// ---- MeshEdgeItem -------------------------------------------------------------------------

MeshEdgeItem::MeshEdgeItem(const MeshEdge &edge, const MeshPalette *palette, const QFont *font)
    : m_edge(edge), m_palette(palette), m_font(font)
{
    setZValue(edge.structural ? 1 : 5);
    setCursor(QCursor(edge.structural ? Qt::ArrowCursor : Qt::PointingHandCursor));
}

void MeshEdgeItem::setEdge(const MeshEdge &edge)
{
    prepareGeometryChange();
    m_edge = edge;
    update();
}

void MeshEdgeItem::setEnds(const QPointF &from, const QPointF &to, const QPointF &stopAt)
{
    prepareGeometryChange();
    m_from = from;
    m_to = to;
    m_stopAt = stopAt;
}

void MeshEdgeItem::setLit(double intensity, double dot)
{
    if (!qFuzzyCompare(1.0 + intensity, 1.0 + m_lit) || !qFuzzyCompare(2.0 + dot, 2.0 + m_dot)) {
        m_lit = intensity;
        m_dot = dot;
        update();
    }
}

void MeshEdgeItem::setLabelPosition(double t)
{
    if (!qFuzzyCompare(t, m_labelAt)) {
        prepareGeometryChange();
        m_labelAt = t;
    }
}

void MeshEdgeItem::setHighlighted(bool highlighted)
{
    if (m_highlighted != highlighted) {
        m_highlighted = highlighted;
        update();
    }
}

QString MeshEdgeItem::colourRole() const
{
    if (m_edge.structural) {
        return QStringLiteral("idle");
    }
    if (m_edge.active > 0 && m_edge.lastOutcome != MeshOutcome::BlackHole) {
        return QStringLiteral("active");
    }
    return colourRoleOf(m_edge.lastOutcome);
}

QPointF MeshEdgeItem::labelAnchor() const
{
    return m_from + (m_to - m_from) * m_labelAt;
}

QRectF MeshEdgeItem::labelRect() const
{
    const QString text = m_edge.label();
    if (text.isEmpty()) {
        return {};
    }
    const QFontMetricsF metrics(scaledFont(*m_font, 0.78));
    const double shapeRoom = outcomeShape() == OutcomeShape::None || m_edge.structural ? 0 : 18;
    const QSizeF size(metrics.horizontalAdvance(text) + 10 + shapeRoom, metrics.height() + 4);
    const QPointF a = labelAnchor();
    return {a.x() - size.width() / 2, a.y() - size.height() - 2, size.width(), size.height()};
}

QRectF MeshEdgeItem::boundingRect() const
{
    QRectF r = QRectF(m_from, m_to).normalized().adjusted(-20, -20, 20, 20);
    r = r.united(QRectF(m_stopAt, QSizeF(1, 1)).adjusted(-20, -20, 20, 20));
    return r.united(labelRect().adjusted(-4, -4, 4, 4));
}

QPainterPath MeshEdgeItem::shape() const
{
    QPainterPath line;
    line.moveTo(m_from);
    line.lineTo(m_to);
    QPainterPathStroker stroker;
    stroker.setWidth(12);
    QPainterPath path = stroker.createStroke(line);
    path.addRect(labelRect());
    return path;
}

void MeshEdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor colour = m_palette->forRole(colourRole());
    const QLineF line(m_from, m_to);
    if (line.length() < 1.0) {
        return;
    }
    if (m_edge.structural) {
        painter->setPen(QPen(m_palette->idle, 1.0, Qt::DotLine));
        painter->drawLine(line);
        return;
    }
    const double width = 1.6 + 3.5 * m_lit + (m_highlighted ? 2.0 : 0.0);
    const QColor base = m_lit > 0.0 || m_highlighted ? colour : colour.lighter(115);
    const QPointF stop = m_stopAt;
    if (m_edge.lastOutcome == MeshOutcome::BlackHole ||
        m_edge.lastOutcome == MeshOutcome::NoRoute) {
        // The flow never left the sidecar: a short solid stub to the stop, then the path it
        // wanted, dashed and grey.
        painter->setPen(QPen(m_palette->idle, 1.2, Qt::DashLine));
        painter->drawLine(stop, m_to);
        painter->setPen(QPen(base, width, Qt::SolidLine, Qt::RoundCap));
        painter->drawLine(m_from, stop);
    } else {
        painter->setPen(QPen(base, width, Qt::SolidLine, Qt::RoundCap));
        painter->drawLine(line);
        // An arrowhead at the target: the direction of the connection.
        const QPointF dir = (m_to - m_from) / line.length();
        const QPointF normal(-dir.y(), dir.x());
        const double size = 9.0 + 2.0 * m_lit;
        QPolygonF head;
        head << m_to << m_to - dir * size + normal * size * 0.5
             << m_to - dir * size - normal * size * 0.5;
        painter->setBrush(base);
        painter->setPen(Qt::NoPen);
        painter->drawPolygon(head);
        if (m_edge.lastOutcome == MeshOutcome::UpstreamFailure) {
            paintOutcomeShape(painter, OutcomeShape::Triangle, m_to - dir * 22.0, 13.0,
                              m_palette->failed, QStringLiteral("UF"), *m_font);
        }
    }
    if (m_dot >= 0.0 && m_dot <= 1.0) {
        const QPointF end = m_edge.lastOutcome == MeshOutcome::BlackHole ? stop : m_to;
        const QPointF at = m_from + (end - m_from) * m_dot;
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour);
        painter->drawEllipse(at, 5.0, 5.0);
    }

    const QRectF label = labelRect();
    if (!label.isNull()) {
        painter->setPen(QPen(colour, 1.0));
        painter->setBrush(m_palette->labelBackground);
        painter->drawRoundedRect(label, 4, 4);
        double textLeft = label.left() + 5;
        if (outcomeShape() != OutcomeShape::None) {
            paintOutcomeShape(painter, outcomeShape(),
                              QPointF(label.left() + 11, label.center().y()), 7.0, colour, {},
                              *m_font);
            textLeft += 16;
        }
        painter->setPen(m_palette->text);
        painter->setFont(scaledFont(*m_font, 0.78));
        painter->drawText(QRectF(textLeft, label.top(), label.right() - textLeft, label.height()),
                          Qt::AlignVCenter | Qt::AlignLeft, m_edge.label());
    }
}

} // namespace meshcraft::app
