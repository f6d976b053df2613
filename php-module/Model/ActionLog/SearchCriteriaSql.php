<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\ActionLog;

use Magento\Framework\Api\SearchCriteriaInterface;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Phrase;

/**
 * Translates a searchCriteria into SQL for the action log, with Magento's semantics: filters in a group are
 * OR-ed, groups AND-ed, an unknown condition type means eq, no pageSize means every row.
 */
final class SearchCriteriaSql
{
    public const FIELDS = ['action_id', 'action', 'status', 'created_at', 'actor_type', 'actor_id', 'incident_id'];

    private const OPERATORS = [
        'eq' => '=',
        'neq' => '!=',
        'gt' => '>',
        'gteq' => '>=',
        'lt' => '<',
        'lteq' => '<=',
        'from' => '>=',
        'to' => '<=',
        'like' => 'LIKE',
        'nlike' => 'NOT LIKE',
    ];

    /**
     * @return array{where: string, bind: list<mixed>, order: string, limit: int|null, offset: int}
     * @throws InputException for a field outside FIELDS or a bad sort direction
     */
    public function build(SearchCriteriaInterface $criteria): array
    {
        $groups = [];
        $bind = [];
        foreach ($criteria->getFilterGroups() ?? [] as $group) {
            $ors = [];
            foreach ($group->getFilters() ?? [] as $filter) {
                $field = $this->field((string) $filter->getField());
                $type = strtolower((string) ($filter->getConditionType() ?: 'eq'));
                $value = $filter->getValue();
                if ($type === 'null' || $type === 'notnull') {
                    $ors[] = $field . ($type === 'null' ? ' IS NULL' : ' IS NOT NULL');
                } elseif ($type === 'in' || $type === 'nin') {
                    $values = is_array($value) ? $value : explode(',', (string) $value);
                    $ors[] = $field . ($type === 'in' ? ' IN (' : ' NOT IN (')
                        . implode(',', array_fill(0, max(1, count($values)), '?')) . ')';
                    array_push($bind, ...($values === [] ? [null] : array_values($values)));
                } else {
                    $ors[] = $field . ' ' . (self::OPERATORS[$type] ?? '=') . ' ?';
                    $bind[] = $value;
                }
            }
            if ($ors !== []) {
                $groups[] = '(' . implode(' OR ', $ors) . ')';
            }
        }
        $orders = [];
        foreach ($criteria->getSortOrders() ?? [] as $sortOrder) {
            $direction = strtoupper((string) ($sortOrder->getDirection() ?: 'ASC'));
            if ($direction !== 'ASC' && $direction !== 'DESC') {
                throw new InputException(new Phrase(
                    'Invalid value of "%value" provided for the %fieldName field.',
                    ['value' => $direction, 'fieldName' => 'direction']
                ));
            }
            $orders[] = $this->field((string) $sortOrder->getField()) . ' ' . $direction;
        }
        $orders[] = 'action_id ASC';
        $pageSize = $criteria->getPageSize();
        $limit = $pageSize === null || (int) $pageSize <= 0 ? null : (int) $pageSize;
        $page = max(1, (int) ($criteria->getCurrentPage() ?? 1));
        return [
            'where' => $groups === [] ? '1 = 1' : implode(' AND ', $groups),
            'bind' => $bind,
            'order' => implode(', ', array_unique($orders)),
            'limit' => $limit,
            'offset' => $limit === null ? 0 : ($page - 1) * $limit,
        ];
    }

    /**
     * @throws InputException
     */
    private function field(string $field): string
    {
        if (!in_array($field, self::FIELDS, true)) {
            throw new InputException(new Phrase(
                'Invalid value of "%value" provided for the %fieldName field.',
                ['value' => $field, 'fieldName' => 'field']
            ));
        }
        return $field;
    }
}
