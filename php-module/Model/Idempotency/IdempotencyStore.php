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
                "SELECT action, request_hash, response FROM {$table} WHERE idempotency_key = ?",
                [$key]
            );
        }
        if (!is_array($row) || $row['action'] !== $action || $row['request_hash'] !== $requestHash) {
            throw new InputException(new Phrase(
                'The idempotency key "%key" was already used for a different request.',
                ['key' => $key]
            ));
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
}
