<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Sql;

/**
 * SQL condition selecting ids: only some (or all when none are given), minus exclusions.
 *
 * Ids are validated integers and inlined, which keeps 100,000-id lists clear of the prepared-statement
 * placeholder limit.
 */
final class IdCondition
{
    /**
     * @param list<int> $only empty: every row
     * @param list<int> $exclude
     */
    public static function sql(string $column, array $only, array $exclude = []): string
    {
        $parts = [];
        if ($only !== []) {
            $parts[] = $column . ' IN (' . self::list($only) . ')';
        }
        if ($exclude !== []) {
            $parts[] = $column . ' NOT IN (' . self::list($exclude) . ')';
        }
        return $parts === [] ? '1 = 1' : implode(' AND ', $parts);
    }

    /**
     * @param list<int> $ids
     */
    private static function list(array $ids): string
    {
        return implode(',', array_map(static fn (int $id): string => (string) $id, $ids));
    }
}
