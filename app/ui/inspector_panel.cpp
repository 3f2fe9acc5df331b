// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/inspector_panel.h"

#include "app/bridge/session_bridge.h"
#include "app/models/mesh_model.h"
#include "app/models/trace_model.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTextDocument>
#include <QTimeZone>
#include <QTreeView>
#include <QVBoxLayout>
#include <chrono>

namespace meshcraft::app {

namespace events = core::lab::events;

namespace {

constexpr int RefreshDelayMs = 250;

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

QPlainTextEdit *monospaceText(QWidget *parent, const QString &objectName)
{
    auto *text = new QPlainTextEdit(parent);
    text->setObjectName(objectName);
    text->setReadOnly(true);
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(parent->font().pointSizeF());
    text->setFont(font);
    return text;
}

QLabel *wrappingLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setMargin(8);
    return label;
}

// Replaces a text's content without losing the reader's place (or following the end when they
// were there: the access log streams).
void setTextKeepingPlace(QPlainTextEdit *edit, const QString &text)
{
    if (edit->toPlainText() == text) {
        return;
    }
    QScrollBar *bar = edit->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 2;
    const int value = bar->value();
    edit->setPlainText(text);
    bar->setValue(atEnd ? bar->maximum() : value);
}

} // namespace

InspectorPanel::InspectorPanel(SessionBridge &bridge, MeshModel *mesh, QWidget *parent)
    : QWidget(parent), m_bridge(bridge), m_mesh(mesh)
{
    setObjectName(QStringLiteral("inspector"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_pages = new QStackedWidget(this);
    layout->addWidget(m_pages);

    m_empty = new QLabel(tr("Select a node in the mesh view, or a connection in the mesh view "
                            "or the event timeline."),
                         this);
    m_empty->setObjectName(QStringLiteral("empty"));
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setMargin(12);
    m_pages->addWidget(m_empty);
    buildProxyPage();
    buildTracePage();
    m_card = wrappingLabel(this, QStringLiteral("instance"));
    m_pages->addWidget(m_card);
    m_nodeInfo = wrappingLabel(this, QStringLiteral("node"));
    m_pages->addWidget(m_nodeInfo);

    m_detailsRefresh.setSingleShot(true);
    m_detailsRefresh.setInterval(RefreshDelayMs);
    connect(&m_detailsRefresh, &QTimer::timeout, this, &InspectorPanel::requestDetails);
    m_traceRefresh.setSingleShot(true);
    m_traceRefresh.setInterval(RefreshDelayMs);
    connect(&m_traceRefresh, &QTimer::timeout, this, &InspectorPanel::requestTrace);

    connect(&m_bridge, &SessionBridge::proxyDetailsReady, this,
            [this](const events::ProxyDetailsReady &event) {
                if (event.requestId != m_detailsRequest) {
                    return;
                }
                const auto &d = event.details;
                setTextKeepingPlace(m_listeners, fromStd(d.listeners));
                setTextKeepingPlace(m_clusters, fromStd(d.clusters));
                setTextKeepingPlace(m_routes, fromStd(d.routes));
                QStringList log;
                for (const std::string &line : d.accessLog) {
                    log << fromStd(line);
                }
                setTextKeepingPlace(m_accessLog, log.join(QLatin1Char('\n')));
                m_statsModel->setStats(d.stats);
            });
    connect(&m_bridge, &SessionBridge::traceReady, this, [this](const events::TraceReady &event) {
        if (event.requestId != m_traceRequest) {
            return;
        }
        m_traceModel->setTrace(event.trace);
        m_traceView->expandAll();
        if (!event.trace) {
            m_traceTitle->setText(tr("Connection %1: its trace is no longer kept.").arg(m_traceId));
        }
    });
    // The access log streams and counters move: refresh what is shown when its proxy (or its
    // connection) sees traffic, or the control plane pushed to it.
    connect(&m_bridge, &SessionBridge::connectionEvent, this,
            [this](const events::Connection &event) {
                if (event.kind != events::Connection::Kind::Closed &&
                    event.kind != events::Connection::Kind::Opened) {
                    return;
                }
                if (!m_proxyId.isEmpty() && fromStd(event.proxyId) == m_proxyId &&
                    m_pages->currentWidget() == m_proxyPage) {
                    m_detailsRefresh.start();
                }
                if (m_traceId != 0 && event.traceId == m_traceId &&
                    m_pages->currentWidget() == m_tracePage) {
                    m_traceRefresh.start();
                }
            });
    connect(&m_bridge, &SessionBridge::configPushed, this, [this](const events::ConfigPushed &) {
        if (m_pages->currentWidget() == m_proxyPage) {
            m_detailsRefresh.start();
        }
    });
    connect(&m_bridge, &SessionBridge::topologyChanged, this,
            [this](const events::TopologyChanged &) {
                if (m_pages->currentWidget() == m_card) {
                    showInstance(m_instance);
                }
            });
    connect(&m_bridge, &SessionBridge::worldRebuilt, this, [this](const events::WorldRebuilt &) {
        m_proxyId.clear();
        m_traceId = 0;
        m_traceModel->clear();
        m_pages->setCurrentWidget(m_empty);
    });
}

void InspectorPanel::buildProxyPage()
{
    m_proxyPage = new QWidget(this);
    auto *layout = new QVBoxLayout(m_proxyPage);
    layout->setContentsMargins(4, 4, 4, 4);
    m_proxyTitle = new QLabel(m_proxyPage);
    m_proxyTitle->setTextFormat(Qt::RichText);
    m_proxyTitle->setWordWrap(true);
    layout->addWidget(m_proxyTitle);
    m_proxyTabs = new QTabWidget(m_proxyPage);
    m_listeners = monospaceText(m_proxyPage, QStringLiteral("listeners"));
    m_clusters = monospaceText(m_proxyPage, QStringLiteral("clusters"));
    m_routes = monospaceText(m_proxyPage, QStringLiteral("routes"));
    m_accessLog = monospaceText(m_proxyPage, QStringLiteral("accessLog"));
    m_accessLog->setPlaceholderText(
        tr("No access-log lines yet. Proxies write them only when the mesh's accessLogFile is "
           "set (the istio ConfigMap in istio-system)."));
    m_statsModel = new ProxyStatsModel(this);
    m_statsView = new QTableView(m_proxyPage);
    m_statsView->setObjectName(QStringLiteral("stats"));
    m_statsView->setModel(m_statsModel);
    m_statsView->verticalHeader()->hide();
    m_statsView->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_statsView->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_statsView->setFont(m_listeners->font());
    m_statsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_proxyTabs->addTab(m_listeners, tr("Listeners"));
    m_proxyTabs->addTab(m_clusters, tr("Clusters"));
    m_proxyTabs->addTab(m_routes, tr("Routes"));
    m_proxyTabs->addTab(m_statsView, tr("Stats"));
    m_proxyTabs->addTab(m_accessLog, tr("Access log"));
    layout->addWidget(m_proxyTabs);
    m_pages->addWidget(m_proxyPage);
}

void InspectorPanel::buildTracePage()
{
    m_tracePage = new QWidget(this);
    auto *layout = new QVBoxLayout(m_tracePage);
    layout->setContentsMargins(4, 4, 4, 4);
    m_traceTitle = new QLabel(m_tracePage);
    m_traceTitle->setWordWrap(true);
    layout->addWidget(m_traceTitle);
    m_traceModel = new TraceModel(this);
    m_traceView = new QTreeView(m_tracePage);
    m_traceView->setObjectName(QStringLiteral("trace"));
    m_traceView->setModel(m_traceModel);
    m_traceView->setUniformRowHeights(true);
    m_traceView->setAlternatingRowColors(true);
    // The cause must stay in sight in a narrow dock: the decision column gets a fixed share
    // (long cluster names elide; the tooltip has them whole), the cause the rest.
    m_traceView->header()->setSectionResizeMode(TraceModel::StepColumn, QHeaderView::Interactive);
    m_traceView->header()->resizeSection(TraceModel::StepColumn,
                                         fontMetrics().averageCharWidth() * 24);
    m_traceView->header()->setSectionResizeMode(TraceModel::DecisionColumn,
                                                QHeaderView::Interactive);
    m_traceView->header()->resizeSection(TraceModel::DecisionColumn,
                                         fontMetrics().averageCharWidth() * 28);
    m_traceView->header()->setStretchLastSection(true);
    m_traceView->setTextElideMode(Qt::ElideMiddle);
    layout->addWidget(m_traceView);
    auto *hint =
        new QLabel(tr("Click an underlined cause to open its YAML at that line."), m_tracePage);
    hint->setWordWrap(true);
    hint->setEnabled(false);
    layout->addWidget(hint);
    connect(m_traceView, &QTreeView::clicked, this, &InspectorPanel::openCause);
    connect(m_traceView, &QTreeView::activated, this, &InspectorPanel::openCause);
    m_pages->addWidget(m_tracePage);
}

void InspectorPanel::openCause(const QModelIndex &index)
{
    const QModelIndex cause = index.siblingAtColumn(TraceModel::CauseColumn);
    const QString file = cause.data(TraceModel::ProvenanceFileRole).toString();
    if (!file.isEmpty()) {
        emit openFileRequested(file, cause.data(TraceModel::ProvenanceLineRole).toInt());
    }
}

void InspectorPanel::showNode(const QString &nodeId)
{
    const MeshNode *node = m_mesh->node(nodeId);
    if (!node) {
        m_pages->setCurrentWidget(m_empty);
        return;
    }
    if (node->kind == MeshNodeKind::Memorystore) {
        showInstance(node->instanceName);
        return;
    }
    if (!node->proxyId.isEmpty()) {
        m_proxyId = node->proxyId;
        m_proxyTitle->setText(
            tr("<b>%1</b> — %2 · %3<br/>What <code>istioctl proxy-config</code> and Envoy's admin "
               "show for this proxy.")
                .arg(m_proxyId.toHtmlEscaped(),
                     node->kind == MeshNodeKind::Gateway ? tr("gateway")
                                                         : tr("istio-proxy sidecar"),
                     node->address.toHtmlEscaped()));
        m_listeners->setPlainText(tr("Loading…"));
        m_clusters->clear();
        m_routes->clear();
        m_accessLog->clear();
        m_pages->setCurrentWidget(m_proxyPage);
        requestDetails();
        return;
    }
    QString text =
        tr("<h3>%1</h3><p>%2</p>").arg(node->name.toHtmlEscaped(), node->detail.toHtmlEscaped());
    switch (node->kind) {
    case MeshNodeKind::Workload:
        text += tr("<p>No istio-proxy sidecar: its traffic does not pass a proxy, so the mesh "
                   "neither sees nor decides it.</p>");
        break;
    case MeshNodeKind::Service:
        text += tr("<p>A Kubernetes Service in namespace %1. Sidecars reach it through the "
                   "cluster <code>outbound|PORT||%2.%1.svc.cluster.local</code>.</p>")
                    .arg(node->nameSpace.toHtmlEscaped(), node->name.toHtmlEscaped());
        break;
    case MeshNodeKind::ServiceEntry:
        text += tr("<p>A host a ServiceEntry adds to the mesh's registry: with "
                   "REGISTRY_ONLY, only registered hosts leave the mesh.</p>");
        break;
    case MeshNodeKind::External:
        text += tr("<p>An address no Service, instance or ServiceEntry declares.</p>");
        break;
    default:
        break;
    }
    m_nodeInfo->setText(text);
    m_pages->setCurrentWidget(m_nodeInfo);
}

void InspectorPanel::showInstance(const QString &name)
{
    m_instance = name;
    const auto topology = m_bridge.topology();
    const core::cloud::Instance *found = nullptr;
    if (topology) {
        for (const auto &instance : topology->instances) {
            if (fromStd(instance.name) == name) {
                found = &instance;
            }
        }
    }
    if (!found) {
        m_card->setText(tr("<h3>%1</h3><p>This Memorystore instance no longer exists.</p>")
                            .arg(name.toHtmlEscaped()));
        m_pages->setCurrentWidget(m_card);
        return;
    }
    const core::cloud::Instance &i = *found;
    const auto created = QDateTime::fromSecsSinceEpoch(
        std::chrono::duration_cast<std::chrono::seconds>(i.createTime.time_since_epoch()).count(),
        Qt::UTC);
    // The fields `gcloud redis instances describe` prints, in its (alphabetical) order.
    const QList<std::pair<QString, QString>> fields = {
        {QStringLiteral("authorizedNetwork"), fromStd(i.authorizedNetwork)},
        {QStringLiteral("connectMode"), fromStd(i.connectMode)},
        {QStringLiteral("createTime"), created.toString(Qt::ISODate)},
        {QStringLiteral("currentLocationId"), fromStd(i.currentLocationId)},
        {QStringLiteral("host"), fromStd(i.host)},
        {QStringLiteral("locationId"), fromStd(i.locationId)},
        {QStringLiteral("memorySizeGb"), QString::number(i.memorySizeGb)},
        {QStringLiteral("name"), fromStd(i.resourceName())},
        {QStringLiteral("persistenceIamIdentity"), fromStd(i.persistenceIamIdentity)},
        {QStringLiteral("port"), QString::number(i.port)},
        {QStringLiteral("redisVersion"), fromStd(i.redisVersion)},
        {QStringLiteral("reservedIpRange"), fromStd(i.reservedIpRange)},
        {QStringLiteral("state"), QString::fromUtf8(core::cloud::instanceStateName(i.state))},
        {QStringLiteral("tier"), fromStd(i.tier)},
    };
    QString html = tr("<h3>Memorystore: %1</h3><table cellspacing='2'>").arg(name.toHtmlEscaped());
    for (const auto &[key, value] : fields) {
        html += QStringLiteral("<tr><td><tt>%1:</tt></td><td><tt>%2</tt></td></tr>")
                    .arg(key, value.toHtmlEscaped());
    }
    html += QStringLiteral("</table>");
    html += tr("<p><i>The card says %1, as requested. Redis itself is the local redis-server "
               "%2, so its INFO reports that version (D15).</i></p>")
                .arg(fromStd(i.redisVersion).toHtmlEscaped(),
                     i.serverVersion.empty() ? tr("(starting)")
                                             : fromStd(i.serverVersion).toHtmlEscaped());
    m_card->setText(html);
    m_pages->setCurrentWidget(m_card);
}

void InspectorPanel::showTrace(std::uint64_t traceId)
{
    m_traceId = traceId;
    m_traceTitle->setText(tr("Connection %1, hop by hop: what each proxy decided, and the "
                             "configuration that made it decide so.")
                              .arg(traceId));
    m_traceModel->clear();
    m_pages->setCurrentWidget(m_tracePage);
    requestTrace();
}

void InspectorPanel::requestDetails()
{
    if (!m_proxyId.isEmpty()) {
        m_detailsRequest = m_bridge.requestProxyDetails(m_proxyId);
    }
}

void InspectorPanel::requestTrace()
{
    if (m_traceId != 0) {
        m_traceRequest = m_bridge.requestTrace(m_traceId);
    }
}

QString InspectorPanel::currentPage() const
{
    QWidget *page = m_pages->currentWidget();
    if (page == m_proxyPage) {
        return QStringLiteral("proxy");
    }
    if (page == m_tracePage) {
        return QStringLiteral("trace");
    }
    if (page == m_card) {
        return QStringLiteral("instance");
    }
    if (page == m_nodeInfo) {
        return QStringLiteral("node");
    }
    return QStringLiteral("empty");
}

QString InspectorPanel::proxyText(const QString &which) const
{
    if (which == QLatin1String("listeners")) {
        return m_listeners->toPlainText();
    }
    if (which == QLatin1String("clusters")) {
        return m_clusters->toPlainText();
    }
    if (which == QLatin1String("routes")) {
        return m_routes->toPlainText();
    }
    if (which == QLatin1String("accesslog")) {
        return m_accessLog->toPlainText();
    }
    return {};
}

QString InspectorPanel::instanceCardText() const
{
    QTextDocument doc;
    doc.setHtml(m_card->text());
    return doc.toPlainText();
}

} // namespace meshcraft::app
