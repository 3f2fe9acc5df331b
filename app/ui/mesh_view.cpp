// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/mesh_view.h"

#include <QEvent>
#include <QGraphicsScene>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <limits>

namespace meshcraft::app {

namespace {

constexpr int HopDelayMs = 450; // one hop lights after the other
constexpr int TravelMs = 700;   // the dot's run along a hop
constexpr int HoldMs = 2500;    // fully lit
constexpr int FadeMs = 2000;    // back to the resting colour; the label stays
constexpr double MaxAutoScale = 1.5;
constexpr double MinScale = 0.2;
constexpr double MaxScale = 6.0;

QString kindName(MeshNodeKind kind)
{
    switch (kind) {
    case MeshNodeKind::Workload:
        return QStringLiteral("workload");
    case MeshNodeKind::Gateway:
        return QStringLiteral("gateway");
    case MeshNodeKind::Service:
        return QStringLiteral("service");
    case MeshNodeKind::Memorystore:
        return QStringLiteral("memorystore");
    case MeshNodeKind::ServiceEntry:
        return QStringLiteral("serviceentry");
    case MeshNodeKind::External:
        return QStringLiteral("external");
    }
    return {};
}

} // namespace

MeshView::MeshView(MeshModel *model, QWidget *parent)
    : QGraphicsView(parent), m_model(model), m_scene(new QGraphicsScene(this)),
      m_palette(MeshPalette::fromPalette(palette())), m_font(font())
{
    setObjectName(QStringLiteral("meshView"));
    setAccessibleName(tr("Mesh view"));
    setAccessibleDescription(tr("The cluster, its pods and sidecars, the egress gateway and the "
                                "VPC. Tab or the arrow keys move between nodes; Enter selects."));
    setScene(m_scene);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::BoundingRectViewportUpdate);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(240, 160);

    m_animationTimer.setInterval(33); // D17's rate; runs only while something is lit
    connect(&m_animationTimer, &QTimer::timeout, this, &MeshView::animate);
    connect(m_model, &MeshModel::nodesChanged, this, &MeshView::rebuildNodes);
    connect(m_model, &MeshModel::trafficChanged, this, [this](std::uint64_t) { syncEdges(); });
    connect(m_model, &MeshModel::flowLit, this, &MeshView::startFlowAnimation);
    rebuildNodes();
}

void MeshView::rebuildNodes()
{
    m_layout.update(m_model->nodes());
    QHash<QString, MeshNodeItem *> keep;
    for (const MeshNode &node : m_model->nodes()) {
        MeshNodeItem *item = m_nodeItems.take(node.id);
        if (!item) {
            item = new MeshNodeItem(node, &m_palette, &m_font);
            m_scene->addItem(item);
        } else {
            item->setNode(node);
        }
        item->setPos(m_layout.position(node.id));
        item->setSelectedNode(node.id == m_selected);
        item->setFocused(node.id == m_focused && hasFocus());
        keep.insert(node.id, item);
    }
    qDeleteAll(m_nodeItems);
    m_nodeItems = keep;
    if (!m_nodeItems.contains(m_selected)) {
        m_selected.clear();
    }
    if (!m_nodeItems.contains(m_focused)) {
        m_focused.clear();
    }

    qDeleteAll(m_boxItems);
    m_boxItems.clear();
    for (const MeshLayout::Box &box : m_layout.boxes(m_model->nodes())) {
        auto *item = new MeshBoxItem(box.title, box.rect, box.dashed, &m_palette, &m_font);
        m_scene->addItem(item);
        m_boxItems << item;
    }
    QRectF bounds;
    for (QGraphicsItem *item : std::as_const(m_boxItems)) {
        bounds = bounds.united(item->boundingRect());
    }
    m_scene->setSceneRect(bounds.adjusted(-20, -20, 20, 20));
    syncEdges();
    fitIfAuto();
}

void MeshView::syncEdges()
{
    QHash<QString, MeshEdgeItem *> keep;
    for (const MeshEdge &edge : m_model->edges()) {
        if (!m_nodeItems.contains(edge.from) || !m_nodeItems.contains(edge.to)) {
            continue;
        }
        // An edge a hop only passed through before it was decided carries nothing to show.
        if (!edge.structural && edge.connections == 0 && edge.lastOutcome == MeshOutcome::None &&
            !edge.successRate) {
            continue;
        }
        MeshEdgeItem *item = m_edgeItems.take(edge.key());
        if (!item) {
            item = new MeshEdgeItem(edge, &m_palette, &m_font);
            m_scene->addItem(item);
        } else {
            item->setEdge(edge);
        }
        placeEdge(item);
        keep.insert(edge.key(), item);
    }
    qDeleteAll(m_edgeItems);
    m_edgeItems = keep;
    // Edges into one node spread their labels along their lines: where lines converge the
    // labels would pile up, so the lowest source's label sits nearest its source.
    QHash<QString, QList<MeshEdgeItem *>> byTarget;
    for (MeshEdgeItem *item : std::as_const(m_edgeItems)) {
        if (!item->edge().structural) {
            byTarget[item->edge().to] << item;
        }
    }
    for (QList<MeshEdgeItem *> &into : byTarget) {
        std::sort(into.begin(), into.end(), [this](const MeshEdgeItem *a, const MeshEdgeItem *b) {
            return m_layout.position(a->edge().from).y() < m_layout.position(b->edge().from).y();
        });
        for (qsizetype i = 0; i < into.size(); ++i) {
            const double spread =
                into.size() > 1 ? static_cast<double>(i) / (into.size() - 1) : 0.5;
            into.at(i)->setLabelPosition(0.55 - 0.25 * spread);
        }
    }
    for (MeshNodeItem *item : std::as_const(m_nodeItems)) {
        if (const MeshNode *node = m_model->node(item->node().id)) {
            item->setNode(*node);
        }
    }
}

void MeshView::placeEdge(MeshEdgeItem *item)
{
    const MeshNodeItem *from = m_nodeItems.value(item->edge().from);
    const MeshNodeItem *to = m_nodeItems.value(item->edge().to);
    if (!from || !to) {
        return;
    }
    const QPointF a =
        item->edge().structural ? from->borderPoint(to->pos()) : from->exitPoint(to->pos());
    const QPointF b = to->borderPoint(from->pos());
    // A stop sits just outside the source, on the way it wanted to go.
    const QPointF dir = b - a;
    const double length = std::hypot(dir.x(), dir.y());
    const QPointF stop = length > 1.0 ? a + dir * (std::min(36.0, length / 2) / length) : a;
    item->setEnds(a, b, stop);
}

void MeshView::startFlowAnimation(std::uint64_t traceId)
{
    const MeshFlow *flow = m_model->flow(traceId);
    if (!flow) {
        return;
    }
    const qint64 now = m_model->nowMs();
    QStringList keys;
    for (qsizetype i = 0; i + 1 < flow->path.size(); ++i) {
        keys << flow->path.at(i) + QStringLiteral("->") + flow->path.at(i + 1);
    }
    if (!flow->attempted.isEmpty()) {
        keys << flow->path.constLast() + QStringLiteral("->") + flow->attempted;
    }
    for (qsizetype i = 0; i < keys.size(); ++i) {
        // An edge already lit by an earlier flow keeps its start; a new hop starts in turn.
        if (!m_animations.contains(keys.at(i)) || now - m_animations.value(keys.at(i)) > TravelMs) {
            m_animations.insert(keys.at(i), now + i * HopDelayMs);
        }
    }
    if (!m_animationTimer.isActive()) {
        m_animationTimer.start();
    }
    animate();
}

void MeshView::animate()
{
    const qint64 now = m_model->nowMs();
    for (auto it = m_animations.begin(); it != m_animations.end();) {
        MeshEdgeItem *item = m_edgeItems.value(it.key());
        const qint64 t = now - it.value();
        if (!item || t > HoldMs + FadeMs) {
            if (item) {
                item->setLit(0.0, -1.0);
            }
            it = m_animations.erase(it);
            continue;
        }
        if (t < 0) {
            item->setLit(0.0, -1.0);
        } else if (t <= HoldMs) {
            item->setLit(1.0, t <= TravelMs ? static_cast<double>(t) / TravelMs : -1.0);
        } else {
            item->setLit(1.0 - static_cast<double>(t - HoldMs) / FadeMs, -1.0);
        }
        ++it;
    }
    if (m_animations.isEmpty()) {
        m_animationTimer.stop(); // idle: no timer, no CPU
    }
}

void MeshView::selectNode(const QString &nodeId)
{
    m_selected = m_nodeItems.contains(nodeId) ? nodeId : QString();
    for (auto it = m_nodeItems.cbegin(); it != m_nodeItems.cend(); ++it) {
        it.value()->setSelectedNode(it.key() == m_selected);
    }
}

void MeshView::highlightFlow(std::uint64_t traceId)
{
    m_highlightedTrace = traceId;
    QStringList keys;
    if (const MeshFlow *flow = m_model->flow(traceId)) {
        for (qsizetype i = 0; i + 1 < flow->path.size(); ++i) {
            keys << flow->path.at(i) + QStringLiteral("->") + flow->path.at(i + 1);
        }
        if (!flow->attempted.isEmpty() && !flow->path.isEmpty()) {
            keys << flow->path.constLast() + QStringLiteral("->") + flow->attempted;
        }
    }
    for (auto it = m_edgeItems.cbegin(); it != m_edgeItems.cend(); ++it) {
        it.value()->setHighlighted(keys.contains(it.key()));
    }
}

MeshView::NodeState MeshView::nodeState(const QString &name) const
{
    NodeState state;
    const MeshNode *node = m_model->findNode(name);
    const MeshNodeItem *item = node ? m_nodeItems.value(node->id) : nullptr;
    if (!item) {
        return state;
    }
    const MeshNode &n = item->node();
    state.exists = true;
    state.id = n.id;
    state.kind = kindName(n.kind);
    state.label = n.name;
    state.detail = n.detail;
    state.sidecar = n.sidecar;
    state.colourRole = item->colourRole();
    state.stopLabel = outcomeLabel(n.stop);
    state.stopShape = shapeName(shapeOf(n.stop));
    state.selected = item->isSelectedNode();
    state.slot = m_layout.slot(n.id);
    state.position = item->pos();
    return state;
}

MeshView::EdgeState MeshView::edgeState(const QString &from, const QString &to) const
{
    EdgeState state;
    const MeshNode *a = m_model->findNode(from);
    const MeshNode *b = m_model->findNode(to);
    if (!a || !b) {
        return state;
    }
    const MeshEdgeItem *item = m_edgeItems.value(a->id + QStringLiteral("->") + b->id);
    if (!item) {
        return state;
    }
    const MeshEdge &e = item->edge();
    state.exists = true;
    state.colourRole = item->colourRole();
    state.label = e.label();
    state.shape = shapeName(item->outcomeShape());
    state.outcome = outcomeLabel(e.lastOutcome);
    state.cluster = e.cluster;
    state.lit = item->lit() > 0.0 || m_animations.contains(e.key());
    state.active = e.active;
    state.lastTraceId = e.lastTraceId;
    state.line = item->line();
    return state;
}

QStringList MeshView::lastPathFrom(const QString &name) const
{
    const MeshNode *node = m_model->findNode(name);
    const MeshFlow *flow = node ? m_model->lastFlowFrom(node->id) : nullptr;
    return flow ? flow->path : QStringList();
}

// ---- Keyboard -----------------------------------------------------------------------------

QStringList MeshView::nodesInTabOrder() const
{
    QList<MeshNodeItem *> items = m_nodeItems.values();
    std::sort(items.begin(), items.end(), [](const MeshNodeItem *a, const MeshNodeItem *b) {
        // Reading order: row by row, left to right.
        if (!qFuzzyCompare(a->pos().y(), b->pos().y())) {
            return a->pos().y() < b->pos().y();
        }
        return a->pos().x() < b->pos().x();
    });
    QStringList ids;
    for (const MeshNodeItem *item : std::as_const(items)) {
        ids << item->node().id;
    }
    return ids;
}

void MeshView::setFocusedNode(const QString &nodeId)
{
    m_focused = nodeId;
    for (auto it = m_nodeItems.cbegin(); it != m_nodeItems.cend(); ++it) {
        it.value()->setFocused(it.key() == m_focused);
    }
    if (MeshNodeItem *item = m_nodeItems.value(nodeId)) {
        ensureVisible(item, 40, 40);
        const MeshNode &n = item->node();
        setAccessibleDescription(
            QStringLiteral("%1 %2, %3").arg(kindName(n.kind), n.name, n.detail) +
            (n.stop != MeshOutcome::None ? tr(", stopped %1").arg(outcomeLabel(n.stop))
                                         : QString()));
    }
}

bool MeshView::focusNextPrevChild(bool next)
{
    const QStringList order = nodesInTabOrder();
    const qsizetype at = order.indexOf(m_focused);
    const qsizetype to = at < 0 ? (next ? 0 : order.size() - 1) : at + (next ? 1 : -1);
    if (to < 0 || to >= order.size() || order.isEmpty()) {
        // Past the last node, Tab leaves the view as it would any widget.
        setFocusedNode({});
        return QGraphicsView::focusNextPrevChild(next);
    }
    setFocusedNode(order.at(to));
    return true;
}

void MeshView::focusInEvent(QFocusEvent *event)
{
    QGraphicsView::focusInEvent(event);
    if (m_focused.isEmpty()) {
        const QStringList order = nodesInTabOrder();
        if (!order.isEmpty()) {
            setFocusedNode(event->reason() == Qt::BacktabFocusReason ? order.constLast()
                                                                     : order.constFirst());
        }
    }
}

void MeshView::moveFocus(int dx, int dy)
{
    const MeshNodeItem *from = m_nodeItems.value(m_focused);
    if (!from) {
        const QStringList order = nodesInTabOrder();
        if (!order.isEmpty()) {
            setFocusedNode(order.constFirst());
        }
        return;
    }
    // The nearest node in that direction, preferring ones straight ahead.
    QString best;
    double bestScore = std::numeric_limits<double>::max();
    for (auto it = m_nodeItems.cbegin(); it != m_nodeItems.cend(); ++it) {
        const QPointF d = it.value()->pos() - from->pos();
        const double along = d.x() * dx + d.y() * dy;
        if (it.key() == m_focused || along <= 1.0) {
            continue;
        }
        const double across = std::abs(d.x() * dy) + std::abs(d.y() * dx);
        const double score = along + 2.0 * across;
        if (score < bestScore) {
            bestScore = score;
            best = it.key();
        }
    }
    if (!best.isEmpty()) {
        setFocusedNode(best);
    }
}

void MeshView::keyPressEvent(QKeyEvent *event)
{
    const bool ctrl = event->modifiers().testFlag(Qt::ControlModifier);
    switch (event->key()) {
    case Qt::Key_Left:
        moveFocus(-1, 0);
        return;
    case Qt::Key_Right:
        moveFocus(1, 0);
        return;
    case Qt::Key_Up:
        moveFocus(0, -1);
        return;
    case Qt::Key_Down:
        moveFocus(0, 1);
        return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        if (!m_focused.isEmpty()) {
            selectNode(m_focused);
            emit nodeActivated(m_focused);
        }
        return;
    case Qt::Key_Escape:
        selectNode({});
        highlightFlow(0);
        return;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        if (ctrl || event->key() == Qt::Key_Plus) {
            zoomIn();
            return;
        }
        break;
    case Qt::Key_Minus:
        zoomOut();
        return;
    case Qt::Key_0:
        if (ctrl) {
            resetZoom();
            return;
        }
        break;
    default:
        break;
    }
    QGraphicsView::keyPressEvent(event);
}

// ---- Mouse and zoom -----------------------------------------------------------------------

void MeshView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        for (QGraphicsItem *item : items(event->position().toPoint())) {
            if (item->type() == MeshNodeItem::Type) {
                const QString id = static_cast<MeshNodeItem *>(item)->node().id;
                setFocusedNode(id);
                selectNode(id);
                emit nodeActivated(id);
                event->accept();
                return;
            }
            if (item->type() == MeshEdgeItem::Type) {
                const MeshEdge &edge = static_cast<MeshEdgeItem *>(item)->edge();
                if (!edge.structural && edge.lastTraceId != 0) {
                    highlightFlow(edge.lastTraceId);
                    emit flowActivated(edge.lastTraceId);
                    event->accept();
                    return;
                }
            }
        }
    }
    QGraphicsView::mousePressEvent(event);
}

void MeshView::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (qFuzzyIsNull(steps)) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    scaleBy(std::pow(1.15, steps));
    event->accept();
}

double MeshView::zoomFactor() const
{
    return transform().m11();
}

void MeshView::scaleBy(double factor)
{
    const double target = std::clamp(zoomFactor() * factor, MinScale, MaxScale);
    m_autoFit = false;
    const double applied = target / zoomFactor();
    scale(applied, applied);
}

void MeshView::zoomIn()
{
    scaleBy(1.25);
}

void MeshView::zoomOut()
{
    scaleBy(1.0 / 1.25);
}

void MeshView::resetZoom()
{
    m_autoFit = true;
    fitIfAuto();
}

void MeshView::fitIfAuto()
{
    if (!m_autoFit || m_scene->sceneRect().isEmpty()) {
        return;
    }
    resetTransform();
    fitInView(m_scene->sceneRect(), Qt::KeepAspectRatio);
    if (zoomFactor() > MaxAutoScale) {
        resetTransform();
        scale(MaxAutoScale, MaxAutoScale);
    }
}

void MeshView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    fitIfAuto();
}

void MeshView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        m_palette = MeshPalette::fromPalette(palette());
        viewport()->update();
    } else if (event->type() == QEvent::FontChange) {
        m_font = font();
        rebuildNodes();
    }
    QGraphicsView::changeEvent(event);
}

} // namespace meshcraft::app
