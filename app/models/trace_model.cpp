// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/models/trace_model.h"

#include <QColor>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace meshcraft::app {

namespace {

// The internal id of a detail row: its hop's row + 1 (0 marks a hop row).
constexpr quintptr HopRowId = 0;

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

QString causeOf(const core::xds::Provenance &provenance)
{
    return fromStd(provenance.toString());
}

} // namespace

TraceModel::TraceModel(QObject *parent) : QAbstractItemModel(parent) {}

void TraceModel::clear()
{
    setTrace(std::nullopt);
}

void TraceModel::setTrace(const std::optional<core::probe::Trace> &trace)
{
    beginResetModel();
    m_hops.clear();
    m_traceId = trace ? trace->traceId : 0;
    if (trace) {
        int number = 0;
        for (const core::probe::TraceHop &hop : trace->hops) {
            const auto &d = hop.decision;
            Hop h;
            h.summary.step = tr("%1. %2").arg(++number).arg(fromStd(hop.proxyId));
            h.summary.decision = tr("%1 → %2 (flags %3)")
                                     .arg(fromStd(hop.downstream.toString()),
                                          fromStd(hop.originalDestination.toString()),
                                          hop.closed ? fromStd(hop.flagsText()) : tr("open"));
            const auto add = [&h](const QString &step, const QString &decision,
                                  const core::xds::Provenance *why = nullptr) {
                Row row{step, decision, {}, {}, 0, {}};
                if (why && !why->kind.empty()) {
                    row.cause = causeOf(*why);
                    row.file = fromStd(why->file);
                    row.line = why->line;
                }
                h.details.push_back(row);
            };
            add(tr("listener"), d.listener.empty() ? tr("(none matched)") : fromStd(d.listener),
                &d.listenerProvenance);
            if (!d.chain.empty()) {
                add(tr("filter chain"), fromStd(d.chain), &d.chainProvenance);
            }
            if (!d.cluster.empty()) {
                add(tr("cluster"), fromStd(d.cluster), &d.clusterProvenance);
            }
            QString endpoint = d.endpoint.port != 0 ? fromStd(d.endpoint.toString()) : tr("(none)");
            if (!d.endpointHostname.empty()) {
                endpoint += QStringLiteral(" (") + fromStd(d.endpointHostname) + QLatin1Char(')');
            }
            if (!d.upstreamKind.empty()) {
                endpoint += QStringLiteral(" · ") + fromStd(d.upstreamKind);
            }
            add(tr("endpoint"), endpoint);
            if (hop.closed) {
                Row flags{tr("flags"), fromStd(hop.flagsText()), {}, {}, 0, {}};
                const QString text = flags.decision;
                flags.colourRole =
                    text.contains(QLatin1String("UH")) || text.contains(QLatin1String("NR"))
                        ? QStringLiteral("blocked")
                    : text.contains(QLatin1String("UF")) ? QStringLiteral("failed")
                                                         : QStringLiteral("ok");
                h.summary.colourRole = flags.colourRole;
                h.details.push_back(flags);
                add(tr("closed"), fromStd(hop.detail.empty() ? std::string("-") : hop.detail));
            }
            add(tr("bytes"), tr("%1 received from downstream, %2 sent back")
                                 .arg(hop.bytesReceived)
                                 .arg(hop.bytesSent));
            if (!hop.accessLogLine.empty()) {
                add(tr("access log"), fromStd(hop.accessLogLine));
            }
            m_hops.push_back(std::move(h));
        }
    }
    endResetModel();
}

const TraceModel::Row *TraceModel::rowAt(const QModelIndex &index) const
{
    if (!index.isValid()) {
        return nullptr;
    }
    if (index.internalId() == HopRowId) {
        return &m_hops.at(static_cast<std::size_t>(index.row())).summary;
    }
    const Hop &hop = m_hops.at(static_cast<std::size_t>(index.internalId() - 1));
    return &hop.details.at(static_cast<std::size_t>(index.row()));
}

QModelIndex TraceModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent)) {
        return {};
    }
    if (!parent.isValid()) {
        return createIndex(row, column, HopRowId);
    }
    return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex TraceModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == HopRowId) {
        return {};
    }
    return createIndex(static_cast<int>(child.internalId() - 1), 0, HopRowId);
}

int TraceModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid()) {
        return static_cast<int>(m_hops.size());
    }
    if (parent.column() != 0 || parent.internalId() != HopRowId) {
        return 0;
    }
    return static_cast<int>(m_hops.at(static_cast<std::size_t>(parent.row())).details.size());
}

int TraceModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant TraceModel::data(const QModelIndex &index, int role) const
{
    const Row *row = rowAt(index);
    if (!row) {
        return {};
    }
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case StepColumn:
            return row->step;
        case DecisionColumn:
            return row->decision;
        case CauseColumn:
            return row->cause;
        default:
            return {};
        }
    case ProvenanceFileRole:
        return row->file;
    case ProvenanceLineRole:
        return row->line;
    case Qt::FontRole:
        if (index.column() == CauseColumn && !row->file.isEmpty()) {
            // A link: it opens the file at its line.
            QFont font;
            font.setUnderline(true);
            return font;
        }
        if (index.internalId() == HopRowId) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == CauseColumn && !row->file.isEmpty()) {
            return QGuiApplication::palette().color(QPalette::Link);
        }
        if (index.column() == DecisionColumn && !row->colourRole.isEmpty() &&
            row->colourRole != QLatin1String("ok")) {
            return row->colourRole == QLatin1String("blocked") ? QColor(0xc0, 0x1c, 0x28)
                                                               : QColor(0xc2, 0x6a, 0x00);
        }
        return {};
    default:
        return {};
    }
}

QVariant TraceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case StepColumn:
        return tr("Hop");
    case DecisionColumn:
        return tr("Decision");
    case CauseColumn:
        return tr("Because of");
    default:
        return {};
    }
}

QStringList TraceModel::toLines() const
{
    QStringList lines;
    for (const Hop &hop : m_hops) {
        lines << hop.summary.step + QStringLiteral(" | ") + hop.summary.decision;
        for (const Row &row : hop.details) {
            lines << QStringLiteral("  ") + row.step + QStringLiteral(" | ") + row.decision +
                         (row.cause.isEmpty() ? QString() : QStringLiteral(" | ") + row.cause);
        }
    }
    return lines;
}

// ---- ProxyStatsModel ----------------------------------------------------------------------

ProxyStatsModel::ProxyStatsModel(QObject *parent) : QAbstractTableModel(parent) {}

void ProxyStatsModel::setStats(const std::vector<std::pair<std::string, std::uint64_t>> &stats)
{
    bool sameNames = stats.size() == m_stats.size();
    for (std::size_t i = 0; sameNames && i < stats.size(); ++i) {
        sameNames = m_stats[i].first == fromStd(stats[i].first);
    }
    if (sameNames) {
        for (std::size_t i = 0; i < stats.size(); ++i) {
            if (m_stats[i].second != stats[i].second) {
                m_stats[i].second = stats[i].second;
                const int row = static_cast<int>(i);
                emit dataChanged(index(row, 1), index(row, 1), {Qt::DisplayRole});
            }
        }
        return;
    }
    beginResetModel();
    m_stats.clear();
    for (const auto &[name, value] : stats) {
        m_stats.emplace_back(fromStd(name), value);
    }
    endResetModel();
}

std::optional<std::uint64_t> ProxyStatsModel::value(const QString &name) const
{
    for (const auto &[n, v] : m_stats) {
        if (n == name) {
            return v;
        }
    }
    return std::nullopt;
}

int ProxyStatsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_stats.size());
}

int ProxyStatsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 2;
}

QVariant ProxyStatsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const auto &[name, value] = m_stats.at(static_cast<std::size_t>(index.row()));
    if (role == Qt::DisplayRole) {
        return index.column() == 0 ? QVariant(name) : QVariant(QString::number(value));
    }
    if (role == Qt::TextAlignmentRole && index.column() == 1) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::UserRole && index.column() == 1) {
        return QVariant::fromValue<qulonglong>(value);
    }
    return {};
}

QVariant ProxyStatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    return section == 0 ? tr("Stat") : tr("Value");
}

} // namespace meshcraft::app
