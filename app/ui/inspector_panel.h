// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QTimer>
#include <QWidget>
#include <cstdint>

class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTreeView;

namespace meshcraft::app {

class MeshModel;
class ProxyStatsModel;
class SessionBridge;
class TraceModel;

/// What is selected, in depth: a proxy's `istioctl proxy-config` tables, Envoy stats and its
/// access log as it streams; a connection's trace hop by hop, each decision with a link to the
/// YAML object and line behind it; a Memorystore instance's gcloud card.
class InspectorPanel : public QWidget
{
    Q_OBJECT

public:
    /// `bridge` and `mesh` must outlive the panel.
    InspectorPanel(SessionBridge &bridge, MeshModel *mesh, QWidget *parent = nullptr);

    /// Shows a mesh node: its proxy, its instance card, or what it is.
    void showNode(const QString &nodeId);
    /// Shows a connection's trace (asks the session for it).
    void showTrace(std::uint64_t traceId);

    /// "empty", "proxy", "trace", "instance", "node" (tests).
    QString currentPage() const;
    QString proxyId() const { return m_proxyId; }
    /// The proxy page's texts: "listeners", "clusters", "routes", "accesslog".
    QString proxyText(const QString &which) const;
    QString instanceCardText() const;
    TraceModel *traceModel() const { return m_traceModel; }
    ProxyStatsModel *statsModel() const { return m_statsModel; }
    QTreeView *traceView() const { return m_traceView; }

signals:
    /// A trace's "because of" link: open `file` (as the provenance names it) at `line`.
    void openFileRequested(const QString &file, int line);

private:
    void buildProxyPage();
    void buildTracePage();
    void requestDetails();
    void requestTrace();
    void showInstance(const QString &name);
    void openCause(const class QModelIndex &index);

    SessionBridge &m_bridge;
    MeshModel *m_mesh;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_empty = nullptr;
    QWidget *m_proxyPage = nullptr;
    QLabel *m_proxyTitle = nullptr;
    QTabWidget *m_proxyTabs = nullptr;
    QPlainTextEdit *m_listeners = nullptr;
    QPlainTextEdit *m_clusters = nullptr;
    QPlainTextEdit *m_routes = nullptr;
    QPlainTextEdit *m_accessLog = nullptr;
    QTableView *m_statsView = nullptr;
    ProxyStatsModel *m_statsModel = nullptr;
    QWidget *m_tracePage = nullptr;
    QLabel *m_traceTitle = nullptr;
    QTreeView *m_traceView = nullptr;
    TraceModel *m_traceModel = nullptr;
    QLabel *m_card = nullptr;
    QLabel *m_nodeInfo = nullptr;

    QString m_proxyId;
    QString m_instance;
    std::uint64_t m_traceId = 0;
    std::uint64_t m_detailsRequest = 0;
    std::uint64_t m_traceRequest = 0;
    /// Refreshes are coalesced: a burst of connection events asks once.
    QTimer m_detailsRefresh;
    QTimer m_traceRefresh;
};

} // namespace meshcraft::app
