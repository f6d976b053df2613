<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Idempotency;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Adapter\DuplicateException;
use Magento\Framework\DB\Adapter\LockWaitException;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Phrase;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Model\Action\Caller;

/**
 * Remembers the first response per caller and idempotency key so a retried write changes nothing again.
 *
 * Keys are reserved inside the write's own database transaction (ActionRunner): a request that dies, even
 * by a PHP fatal error, takes its reservation with it when MySQL rolls the transaction back, and a repeat
 * waits on the row lock instead of seeing a half-done request. Each caller (admin user or integration) has
 * its own key space: another caller's key is never replayed to, or refused for, you.
 */
final class IdempotencyStore
{
    public const TABLE = 'magento_ir_idempotency_key';
    /** Answered keys are kept this long for replays, then purged by cron. */
    public const KEEP_ANSWERED_SECONDS = 2592000;

    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * Claims the key for this request; returns the stored response when the key was already answered.
     * Must run inside the transaction that makes the change and calls complete().
     *
     * @return array<string, mixed>|null null when the key is new and now reserved for this request
     * @throws InputException when the key belongs to a different request or is still being processed
     */
    public function reserve(Caller $caller, string $key, string $action, string $requestHash): ?array
    {
        $connection = $this->resource->getConnection();
        $table = $this->resource->getTableName(self::TABLE);
        try {
            // Blocks while another open transaction holds the same key, until it commits or rolls back.
            $connection->insert($table, [
                'actor_type' => $caller->userType,
                'actor_id' => $caller->userId,
                'idempotency_key' => $key,
                'action' => $action,
                'request_hash' => $requestHash,
                'response' => null,
                'created_at' => $this->dateTime->gmtDate('Y-m-d H:i:s'),
            ]);
            return null;
        } catch (DuplicateException) {
            // Answered before (or by a module version that reserved keys outside the transaction).
        } catch (LockWaitException) {
            throw $this->stillProcessing($key);
        }
        $row = $connection->fetchRow(
            "SELECT key_id, action, request_hash, response FROM {$table}"
            . ' WHERE actor_type = ? AND actor_id = ? AND idempotency_key = ? FOR UPDATE',
            [$caller->userType, $caller->userId, $key]
        );
        if (!is_array($row) || $row['action'] !== $action || $row['request_hash'] !== $requestHash) {
            throw new InputException(new Phrase(
                'The idempotency key "%key" was already used for a different request.',
                ['key' => $key]
            ));
        }
        if ($row['response'] === null) {
            // Only earlier versions of this module committed a reservation before its answer: that request died.
            return null;
        }
        $response = json_decode((string) $row['response'], true, 512, JSON_THROW_ON_ERROR);
        return is_array($response) ? $response : [];
    }

    /**
     * Stores the response returned for the key (in the same transaction as reserve()).
     *
     * @param array<string, mixed> $response
     */
    public function complete(Caller $caller, string $key, array $response): void
    {
        $this->resource->getConnection()->update(
            $this->resource->getTableName(self::TABLE),
            ['response' => json_encode($response, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES)],
            ['actor_type = ?' => $caller->userType, 'actor_id = ?' => $caller->userId, 'idempotency_key = ?' => $key]
        );
    }

    /**
     * Deletes keys first seen more than KEEP_ANSWERED_SECONDS ago; returns how many.
     */
    public function purge(): int
    {
        $now = $this->dateTime->gmtTimestamp();
        return $this->resource->getConnection()->delete(
            $this->resource->getTableName(self::TABLE),
            [
                'created_at < ?' => $this->dateTime->gmtDate('Y-m-d H:i:s', $now - self::KEEP_ANSWERED_SECONDS),
            ]
        );
    }

    private function stillProcessing(string $key): InputException
    {
        return new InputException(new Phrase(
            'A request with the idempotency key "%key" is still being processed.',
            ['key' => $key]
        ));
    }
}
