// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/lab/session.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace meshcraft::app {

enum class MeshNodeKind { Workload, Gateway, Service, Memorystore, ServiceEntry, External };

/// How a flow ended (or stands), as the mesh view draws it.
enum class MeshOutcome {
    None,            ///< nothing seen yet
    Open,            ///< connected, still open
    Connected,       ///< connected and closed cleanly (flags "-")
    BlackHole,       ///< BlackHoleCluster: UH at the sidecar
    UpstreamFailure, ///< refused or timed-out upstream: UF
    NoRoute,         ///< no filter chain matched: NR
};

/// Each outcome's shape besides its colour (D27).
enum class OutcomeShape { None, Circle, Octagon, Triangle, Diamond };

OutcomeShape shapeOf(MeshOutcome outcome);
QString shapeName(OutcomeShape shape);     ///< "none", "circle", "octagon", "triangle", "diamond"
QString colourRoleOf(MeshOutcome outcome); ///< "idle", "active", "ok", "blocked", "failed"
QString outcomeLabel(MeshOutcome outcome); ///< "", "open", "OK", "UH", "UF", "NR"
/// "12 B", "3.4 kB", "1.2 MB".
QString formatBytes(std::uint64_t bytes);

/// One thing the mesh view draws: a workload (its pods), a gateway, a Service, a Memorystore
/// instance, a ServiceEntry host or an address nothing declares.
struct MeshNode
{
    QString id; ///< "default/busybox", "svc:default/redis-cart", "memorystore:redis-cart"
    MeshNodeKind kind = MeshNodeKind::Workload;
    QString name; ///< what the label says first
    QString nameSpace;
    QString detail;  ///< second line: the pod's IP, "10.59.118.59:6379", ports
    QString podName; ///< the workload's current pod
    QString proxyId; ///< its sidecar's (or gateway's) proxy id, empty without one
    bool sidecar = false;
    QString instanceName; ///< Memorystore
    QString address;      ///< the IP a flow to it dials (pod IP, cluster IP, instance host)
    // A flow stopped at this node's proxy (UH, NR): drawn on its sidecar badge.
    MeshOutcome stop = MeshOutcome::None;
    QString stopDetail; ///< "BlackHoleCluster"
    std::uint64_t stopTraceId = 0;
};

/// A directed edge: connections from one node's proxy to the next node.
struct MeshEdge
{
    QString from;
    QString to;
    int active = 0;                ///< connections open now
    std::uint64_t connections = 0; ///< every connection seen on it
    std::uint64_t bytesOut = 0;    ///< from `from` towards `to`
    std::uint64_t bytesIn = 0;     ///< back
    MeshOutcome lastOutcome = MeshOutcome::None;
    QString cluster; ///< the cluster of its last flow
    std::uint64_t lastTraceId = 0;
    qint64 litAtMs = -1;               ///< when a flow last lit it (the view animates from there)
    std::optional<double> successRate; ///< the cart service's, on its edge to its Redis
    bool structural = false;           ///< not traffic: a Service selects, a ServiceEntry declares
    // What flows no longer kept (bounded history) had counted here.
    std::uint64_t retiredConnections = 0;
    std::uint64_t retiredOut = 0;
    std::uint64_t retiredIn = 0;

    QString key() const { return from + QStringLiteral("->") + to; }
    /// "OK · 1 open · ↑12 B ↓7 B · success 98%"
    QString label() const;
};

/// One flow (every hop sharing a trace id) and where it went.
struct MeshFlow
{
    struct Hop
    {
        std::uint64_t connectionId = 0;
        std::uint64_t parentId = 0;
        QString proxyId;
        QString downstream;
        QString originalDestination;
        QString cluster;
        QString flags;
        QString detail;
        bool decided = false;
        bool closed = false;
        std::uint64_t bytesReceived = 0;
        std::uint64_t bytesSent = 0;
        QString edgeKey; ///< the edge this hop's bytes count on
    };
    std::uint64_t traceId = 0;
    std::vector<Hop> hops;
    QStringList path;  ///< node ids from the client to where the bytes went (or stopped)
    QString attempted; ///< the node it dialled, when it stopped before reaching it
    MeshOutcome outcome = MeshOutcome::None;
    QString stopNode; ///< where a UH/NR stopped it
    bool closed = false;
    qint64 startedMs = 0;
};

/// The mesh view's picture: nodes from the topology snapshot, edges and flows from the
/// connection events. Qt-side state only; the view draws it and tests assert it.
///
/// Node ids are stable across rollouts: a Deployment's pods are one node named after the
/// Deployment (a helm upgrade replaces the gateway's pod, not its place in the picture).
class MeshModel : public QObject
{
    Q_OBJECT

public:
    explicit MeshModel(QObject *parent = nullptr);

    void setTopology(const std::shared_ptr<const core::lab::TopologySnapshot> &topology);
    void applyConnection(const core::lab::events::Connection &event);
    void applyCartStats(const core::lab::events::CartStatsChanged &event);
    /// The world was rebuilt: traffic is forgotten, nodes stay until the next topology.
    void clearTraffic();

    /// In the order they first appeared (the layout's order).
    const std::vector<MeshNode> &nodes() const { return m_nodes; }
    const MeshNode *node(const QString &id) const;
    /// A node by id, workload or pod name, proxy id or instance name.
    const MeshNode *findNode(const QString &name) const;
    /// The node of a proxy id ("busybox.default"); empty when unknown.
    QString nodeOfProxy(const QString &proxyId) const;

    const std::vector<MeshEdge> &edges() const { return m_edges; }
    const MeshEdge *edge(const QString &from, const QString &to) const;

    const MeshFlow *flow(std::uint64_t traceId) const;
    /// The most recent flow that started at `nodeId` (or nullptr).
    const MeshFlow *lastFlowFrom(const QString &nodeId) const;
    std::uint64_t lastTraceId() const { return m_lastTraceId; }

    std::shared_ptr<const core::lab::TopologySnapshot> topology() const { return m_topology; }
    qint64 nowMs() const { return m_clock.elapsed(); }

signals:
    /// Nodes were added, removed or relabelled.
    void nodesChanged();
    /// Edges or node stops changed (counts, outcomes); `traceId` is the flow that changed them.
    void trafficChanged(std::uint64_t traceId);
    /// A flow reached a new outcome: the view animates its path.
    void flowLit(std::uint64_t traceId);

private:
    MeshNode *nodeRef(const QString &id);
    MeshEdge &edgeRef(const QString &from, const QString &to);
    QString ensureExternal(const QString &address);
    QString resolveAddress(const QString &address, const QString &exclude);
    QString resolveCluster(const QString &cluster, const QString &exclude);
    void route(MeshFlow &flow);
    void retire(const MeshFlow &flow);
    void recountEdges();
    void setStop(const QString &nodeId, MeshOutcome outcome, const QString &detail,
                 std::uint64_t traceId);

    std::shared_ptr<const core::lab::TopologySnapshot> m_topology;
    std::vector<MeshNode> m_nodes;
    std::vector<MeshEdge> m_edges;
    std::map<std::uint64_t, MeshFlow> m_flows;
    std::map<std::uint64_t, std::uint64_t> m_traceOfConnection;
    QHash<QString, QString> m_proxyNodes; ///< proxy id -> node id, kept across rollouts
    QHash<QString, std::uint64_t> m_lastFlowFrom;
    std::map<QString, std::pair<QString, double>> m_cartRates; ///< pod -> (target, rate)
    std::uint64_t m_lastTraceId = 0;
    QElapsedTimer m_clock;
};

} // namespace meshcraft::app
