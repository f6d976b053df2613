<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\ActionLog;

use Magento\Framework\Api\SearchCriteriaInterface;
use Magento\Framework\App\ResourceConnection;
use MagentoIr\IncidentResponse\Api\Data\ActionLogSearchResultsInterface;
use MagentoIr\IncidentResponse\Api\GetActionLogInterface;
use MagentoIr\IncidentResponse\Model\Data\ActionRecord;

/**
 * Pages through the action log; records come back exactly as stored so their hashes can be verified.
 */
final class GetActionLog implements GetActionLogInterface
{
    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly SearchCriteriaSql $criteriaSql
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(SearchCriteriaInterface $searchCriteria): ActionLogSearchResultsInterface
    {
        $query = $this->criteriaSql->build($searchCriteria);
        $connection = $this->resource->getConnection();
        $table = $this->resource->getTableName(ActionLogWriter::TABLE);
        $total = (int) $connection->fetchOne("SELECT COUNT(*) FROM {$table} WHERE {$query['where']}", $query['bind']);
        $sql = "SELECT * FROM {$table} WHERE {$query['where']} ORDER BY {$query['order']}";
        if ($query['limit'] !== null) {
            $sql .= ' LIMIT ' . $query['limit'] . ' OFFSET ' . $query['offset'];
        }
        $items = array_map(static fn (array $row): ActionRecord => ActionRecord::fromArray([
            'action_id' => (int) $row['action_id'],
            'action' => (string) $row['action'],
            'status' => (string) $row['status'],
            'created_at' => (string) $row['created_at'],
            'actor_type' => (int) $row['actor_type'],
            'actor_id' => (int) $row['actor_id'],
            'incident_id' => $row['incident_id'],
            'reason' => (string) $row['reason'],
            'idempotency_key' => $row['idempotency_key'],
            'request' => (string) $row['request'],
            'prior_state' => (string) $row['prior_state'],
            'result' => (string) $row['result'],
            'previous_hash' => (string) $row['previous_hash'],
            'hash' => (string) $row['hash'],
        ]), $connection->fetchAll($sql, $query['bind']));
        $results = new ActionLogSearchResults();
        $results->setItems($items);
        $results->setSearchCriteria($searchCriteria);
        $results->setTotalCount($total);
        return $results;
    }
}
