<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Idempotency;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Adapter\DuplicateException;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Phrase;
use Magento\Framework\Stdlib\DateTime\DateTime;

/**
 * Remembers the first response per idempotency key so a retried write changes nothing again.
 */
final class IdempotencyStore
{
    public const TABLE = 'magento_ir_idempotency_key';
    /** A first request still unanswered after this long died (e.g. a PHP fatal error): its key is taken over. */
    public const ABANDONED_AFTER_SECONDS = 1800;
    /** Answered keys are kept this long for replays, then purged by cron. */
    public const KEEP_ANSWERED_SECONDS = 2592000;

    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * Claims the key for this request; returns the stored response when the key was already answered.
     *
     * @return array<string, mixed>|null null when the key is new and now reserved for this request
     * @throws InputException when the key belongs to a different request or is still being processed
     */
    public function reserve(string $key, string $action, string $requestHash): ?array
    {
        $connection = $this->resource->getConnection();
        $table = $this->resource->getTableName(self::TABLE);
        try {
            $connection->insert($table, [
                'idempotency_key' => $key,
                'action' => $action,
                'request_hash' => $requestHash,
                'response' => null,
                'created_at' => $this->dateTime->gmtDate('Y-m-d H:i:s'),
            ]);
            return null;
        } catch (DuplicateException) {
            $row = $connection->fetchRow(
                "SELECT action, request_hash, response, created_at FROM {$table} WHERE idempotency_key = ?",
                [$key]
            );
        }
        if (!is_array($row) || $row['action'] !== $action || $row['request_hash'] !== $requestHash) {
            throw new InputException(new Phrase(
                'The idempotency key "%key" was already used for a different request.',
                ['key' => $key]
            ));
        }
        if ($row['response'] === null && $this->takeOverAbandoned($key, (string) $row['created_at'])) {
            return null;
        }
        if ($row['response'] === null) {
            throw new InputException(new Phrase(
                'A request with the idempotency key "%key" is still being processed.',
                ['key' => $key]
            ));
        }
        $response = json_decode((string) $row['response'], true, 512, JSON_THROW_ON_ERROR);
        return is_array($response) ? $response : [];
    }

    /**
     * Stores the response returned for the key.
     *
     * @param array<string, mixed> $response
     */
    public function complete(string $key, array $response): void
    {
        $this->resource->getConnection()->update(
            $this->resource->getTableName(self::TABLE),
            ['response' => json_encode($response, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES)],
            ['idempotency_key = ?' => $key]
        );
    }

    /**
     * Frees the key of a request that failed, so the same key may be retried.
     */
    public function release(string $key): void
    {
        $this->resource->getConnection()->delete(
            $this->resource->getTableName(self::TABLE),
            ['idempotency_key = ?' => $key, 'response IS NULL']
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

    /**
     * Claims a key whose first request never answered; the conditional update lets only one caller win.
     */
    private function takeOverAbandoned(string $key, string $createdAt): bool
    {
        $now = $this->dateTime->gmtTimestamp();
        if (strtotime($createdAt . ' UTC') > $now - self::ABANDONED_AFTER_SECONDS) {
            return false;
        }
        return $this->resource->getConnection()->update(
            $this->resource->getTableName(self::TABLE),
            ['created_at' => $this->dateTime->gmtDate('Y-m-d H:i:s', $now)],
            ['idempotency_key = ?' => $key, 'created_at = ?' => $createdAt, 'response IS NULL']
        ) === 1;
    }
}
