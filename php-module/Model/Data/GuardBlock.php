<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\GuardBlockInterface;

/**
 * One refused order attempt, from its `magento_ir_guard_block` row.
 */
final class GuardBlock implements GuardBlockInterface
{
    /**
     * @param array<string, mixed> $row
     */
    public function __construct(private readonly array $row)
    {
    }

    /**
     * @return int
     */
    public function getBlockId(): int
    {
        return (int) $this->row['block_id'];
    }

    /**
     * @return string
     */
    public function getCreatedAt(): string
    {
        return (string) $this->row['created_at'];
    }

    /**
     * @return int
     */
    public function getRuleId(): int
    {
        return (int) $this->row['rule_id'];
    }

    /**
     * @return string
     */
    public function getRuleType(): string
    {
        return (string) $this->row['rule_type'];
    }

    /**
     * @return string
     */
    public function getChannel(): string
    {
        return (string) $this->row['channel'];
    }

    /**
     * @return string|null
     */
    public function getIp(): ?string
    {
        return self::text($this->row['ip'] ?? null);
    }

    /**
     * @return string|null
     */
    public function getEmail(): ?string
    {
        return self::text($this->row['email'] ?? null);
    }

    /**
     * @return int|null
     */
    public function getCustomerId(): ?int
    {
        return isset($this->row['customer_id']) ? (int) $this->row['customer_id'] : null;
    }

    /**
     * @return int|null
     */
    public function getQuoteId(): ?int
    {
        return isset($this->row['quote_id']) ? (int) $this->row['quote_id'] : null;
    }

    /**
     * @return string|null
     */
    public function getMethod(): ?string
    {
        return self::text($this->row['method'] ?? null);
    }

    private static function text(mixed $value): ?string
    {
        return $value === null || $value === '' ? null : (string) $value;
    }
}
