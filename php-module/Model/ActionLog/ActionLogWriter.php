<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\ActionLog;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Model\Action\Caller;

/**
 * Appends hash-chained records to magento_ir_action_log. There is no update or delete: the log is append-only.
 */
final class ActionLogWriter
{
    public const TABLE = 'magento_ir_action_log';
    public const STATUS_SUCCEEDED = 'succeeded';
    public const STATUS_FAILED = 'failed';
    /** Refused before any change: unknown entities, idempotency conflicts, a second restore (HTTP 4xx). */
    public const STATUS_REJECTED = 'rejected';

    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly HashChain $hashChain,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * Writes one record and returns its action_id.
     *
     * @param array<string, mixed> $request
     * @param mixed $priorState
     * @param array<string, mixed> $result
     * @param int|null $session the caller's transaction's connection id: refuse to write on another one
     */
    public function append(
        string $action,
        string $status,
        Caller $caller,
        string $reason,
        ?string $incidentId,
        ?string $idempotencyKey,
        array $request,
        mixed $priorState,
        array $result,
        ?int $session = null
    ): int {
        $connection = $this->resource->getConnection();
        $table = $this->resource->getTableName(self::TABLE);
        $record = [
            'action' => $action,
            'status' => $status,
            'created_at' => $this->dateTime->gmtDate('Y-m-d H:i:s'),
            'actor_type' => $caller->userType,
            'actor_id' => $caller->userId,
            'incident_id' => $incidentId,
            'reason' => $reason,
            'idempotency_key' => $idempotencyKey,
            'request' => $this->json($request),
            'prior_state' => $this->json($priorState),
            'result' => $this->json($result),
        ];
        $connection->beginTransaction();
        try {
            // FOR UPDATE serialises concurrent appends so two records never share a previous hash.
            $previous = $connection->fetchOne(
                "SELECT hash FROM {$table} ORDER BY action_id DESC LIMIT 1 FOR UPDATE"
            );
            if ($session !== null && (int) $connection->fetchOne('SELECT CONNECTION_ID()') !== $session) {
                throw new \RuntimeException(
                    'The database connection was lost during the write and Magento reconnected outside its'
                    . ' transaction: the record is not written as a success.'
                );
            }
            $previousHash = is_string($previous) && $previous !== '' ? $previous : HashChain::GENESIS;
            $record['previous_hash'] = $previousHash;
            $record['hash'] = $this->hashChain->hash($previousHash, $record);
            $connection->insert($table, $record);
            $actionId = (int) $connection->fetchOne('SELECT LAST_INSERT_ID()');
            $connection->commit();
        } catch (\Throwable $exception) {
            $connection->rollBack();
            throw $exception;
        }
        return $actionId;
    }

    private function json(mixed $value): string
    {
        return json_encode(
            $value,
            JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_LINE_TERMINATORS
        );
    }
}
