<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\ActionLog;

/**
 * The action log's tamper evidence: each record's hash covers its content and the previous hash.
 *
 * The exact rule is published in contract/openapi.json (x-magento-ir-hash-chain) so the SDK can verify it.
 */
final class HashChain
{
    public const GENESIS = '0000000000000000000000000000000000000000000000000000000000000000';

    /** Record fields in the order they are hashed. */
    public const HASHED_FIELDS = [
        'action',
        'status',
        'created_at',
        'actor_type',
        'actor_id',
        'incident_id',
        'reason',
        'idempotency_key',
        'request',
        'prior_state',
        'result',
    ];

    /**
     * @param array<string, mixed> $record
     */
    public function canonical(array $record): string
    {
        $values = [];
        foreach (self::HASHED_FIELDS as $field) {
            $values[] = $record[$field] ?? null;
        }
        return json_encode(
            $values,
            JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_LINE_TERMINATORS
        );
    }

    /**
     * @param array<string, mixed> $record
     */
    public function hash(string $previousHash, array $record): string
    {
        return hash('sha256', $previousHash . "\n" . $this->canonical($record));
    }

    /**
     * Index of the first record that breaks the chain, or null when the whole list verifies.
     *
     * @param list<array<string, mixed>> $records in ascending action_id order, starting at the first record
     */
    public function firstBrokenIndex(array $records, string $previousHash = self::GENESIS): ?int
    {
        foreach ($records as $index => $record) {
            if (
                ($record['previous_hash'] ?? null) !== $previousHash
                || ($record['hash'] ?? null) !== $this->hash($previousHash, $record)
            ) {
                return $index;
            }
            $previousHash = (string) $record['hash'];
        }
        return null;
    }
}
