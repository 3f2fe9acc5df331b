// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/probe/probe_result.h"

#include <QAbstractItemModel>
#include <QString>
#include <optional>
#include <vector>

namespace meshcraft::app {

/// A connection's trace for the inspector, hop by hop: each hop (a proxy) is a top-level row,
/// its decisions (listener, filter chain, cluster, endpoint, flags, bytes, why it closed) are
/// its children. Column 2 names the YAML object and line that caused a decision; its file and
/// line are in ProvenanceFileRole/ProvenanceLineRole, so a click can open the editor there.
class TraceModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { StepColumn, DecisionColumn, CauseColumn, ColumnCount };
    enum Role {
        ProvenanceFileRole = Qt::UserRole + 1, ///< QString: "redis-serviceentry.yaml"; empty: none
        ProvenanceLineRole,                    ///< int, 1-based; 0 when unknown
    };

    explicit TraceModel(QObject *parent = nullptr);

    void setTrace(const std::optional<core::probe::Trace> &trace);
    void clear();
    std::uint64_t traceId() const { return m_traceId; }
    /// Every row as "step | decision | cause" lines, depth-first (tests, copy).
    QStringList toLines() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString step;
        QString decision;
        QString cause;
        QString file;
        int line = 0;
        QString colourRole; ///< "blocked", "failed", "ok" on a hop's flags row
    };
    struct Hop
    {
        Row summary;
        std::vector<Row> details;
    };
    const Row *rowAt(const QModelIndex &index) const;

    std::vector<Hop> m_hops;
    std::uint64_t m_traceId = 0;
};

/// A proxy's Envoy stats as a two-column table (name, value), sorted by name as Envoy's admin
/// prints them. Values update in place when the names stay the same.
class ProxyStatsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    explicit ProxyStatsModel(QObject *parent = nullptr);

    void setStats(const std::vector<std::pair<std::string, std::uint64_t>> &stats);
    /// The value of a stat, or nullopt.
    std::optional<std::uint64_t> value(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<std::pair<QString, std::uint64_t>> m_stats;
};

} // namespace meshcraft::app
