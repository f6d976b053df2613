<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\ActionLog;

use Magento\Framework\Api\Filter;
use Magento\Framework\Api\Search\FilterGroup;
use Magento\Framework\Api\SearchCriteria;
use Magento\Framework\Api\SortOrder;
use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\ActionLog\GetActionLog;
use MagentoIr\IncidentResponse\Model\ActionLog\SearchCriteriaSql;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use PHPUnit\Framework\TestCase;

final class GetActionLogTest extends TestCase
{
    private static function filter(string $field, mixed $value, ?string $condition = null): Filter
    {
        return (new Filter())->setField($field)->setValue($value)->setConditionType($condition);
    }

    public function testFiltersAreOredWithinAGroupAndGroupsAnded(): void
    {
        $criteria = (new SearchCriteria())
            ->setFilterGroups([
                (new FilterGroup())->setFilters(
                    [self::filter('action', 'catalog.quarantine'), self::filter('action', 'catalog.release')]
                ),
                (new FilterGroup())->setFilters([self::filter('created_at', '2024-05-01 00:00:00', 'gteq')]),
                (new FilterGroup())->setFilters(
                    [self::filter('actor_id', '1,2', 'in'), self::filter('incident_id', null, 'null')]
                ),
            ])
            ->setSortOrders([new SortOrder(['field' => 'created_at', 'direction' => 'desc'])])
            ->setPageSize(50)
            ->setCurrentPage(3);

        self::assertSame([
            'where' => '(action = ? OR action = ?) AND (created_at >= ?)'
                . ' AND (actor_id IN (?,?) OR incident_id IS NULL)',
            'bind' => ['catalog.quarantine', 'catalog.release', '2024-05-01 00:00:00', '1', '2'],
            'order' => 'created_at DESC, action_id ASC',
            'limit' => 50,
            'offset' => 100,
        ], (new SearchCriteriaSql())->build($criteria));
    }

    public function testUnknownConditionTypeMeansEqualsAsInMagento(): void
    {
        $criteria = (new SearchCriteria())->setFilterGroups([
            (new FilterGroup())->setFilters([self::filter('status', 'failed', 'moreq')]),
        ]);
        self::assertSame('(status = ?)', (new SearchCriteriaSql())->build($criteria)['where']);
    }

    public function testFieldsOutsideTheLogAreRejected(): void
    {
        $criteria = (new SearchCriteria())->setFilterGroups([
            (new FilterGroup())->setFilters([self::filter('hash; DROP TABLE x', '1')]),
        ]);
        $this->expectException(InputException::class);
        (new SearchCriteriaSql())->build($criteria);
    }

    public function testReturnsStoredRecordsWithTotalCountBeforePaging(): void
    {
        $row = [
            'action_id' => '1', 'action' => 'maintenance.set', 'status' => 'succeeded',
            'created_at' => '2024-05-01 03:12:09', 'actor_type' => '2', 'actor_id' => '1', 'incident_id' => null,
            'reason' => 'r', 'idempotency_key' => 'k', 'request' => '{}', 'prior_state' => 'null', 'result' => '{}',
            'previous_hash' => str_repeat('0', 64), 'hash' => str_repeat('a', 64),
        ];
        $db = (new FakeDb($this))
            ->answer('/SELECT COUNT/', '7')
            ->answer(
                '/SELECT \* FROM magento_ir_action_log WHERE 1 = 1 ORDER BY action_id ASC LIMIT 1 OFFSET 0/',
                [$row]
            );
        $criteria = (new SearchCriteria())->setPageSize(1);

        $results = (new GetActionLog($db->resource, new SearchCriteriaSql()))->execute($criteria);

        self::assertSame(7, $results->getTotalCount());
        self::assertSame($criteria, $results->getSearchCriteria());
        $record = $results->getItems()[0];
        self::assertSame(['maintenance.set', 2, null, 'k'], [
            $record->getAction(), $record->getActorType(), $record->getIncidentId(), $record->getIdempotencyKey(),
        ]);
    }
}
