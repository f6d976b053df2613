<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\GuardRuleInterface;

/**
 * One payment-guard rule, built from its wire shape (toArray() output, nulls omitted).
 */
final class GuardRule implements GuardRuleInterface
{
    /**
     * @param array<string, mixed> $data
     */
    private function __construct(private readonly array $data)
    {
    }

    /**
     * @param array<string, mixed> $data wire keys; null values are dropped
     */
    public static function fromArray(array $data): self
    {
        $clean = [
            self::KEY_RULE_ID => (int) $data[self::KEY_RULE_ID],
            self::KEY_TYPE => (string) $data[self::KEY_TYPE],
            self::KEY_VALUES => array_map('strval', array_values($data[self::KEY_VALUES] ?? [])),
        ];
        foreach ([self::KEY_SUBJECT, self::KEY_METRIC] as $key) {
            if (isset($data[$key])) {
                $clean[$key] = (string) $data[$key];
            }
        }
        foreach ([self::KEY_LIMIT, self::KEY_WINDOW] as $key) {
            if (isset($data[$key])) {
                $clean[$key] = (int) $data[$key];
            }
        }
        $clean[self::KEY_CREATED_AT] = (string) $data[self::KEY_CREATED_AT];
        foreach ([self::KEY_EXPIRES_AT, self::KEY_REMOVED_AT, self::KEY_INCIDENT_ID] as $key) {
            if (isset($data[$key])) {
                $clean[$key] = (string) $data[$key];
            }
        }
        $clean[self::KEY_REASON] = (string) $data[self::KEY_REASON];
        $clean[self::KEY_BLOCKED] = (int) ($data[self::KEY_BLOCKED] ?? 0);
        foreach ([self::KEY_FIRST_BLOCKED_AT, self::KEY_LAST_BLOCKED_AT] as $key) {
            if (isset($data[$key])) {
                $clean[$key] = (string) $data[$key];
            }
        }
        return new self($clean);
    }

    /**
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return $this->data;
    }

    /**
     * @return int
     */
    public function getRuleId(): int
    {
        return $this->data[self::KEY_RULE_ID];
    }

    /**
     * @return string
     */
    public function getType(): string
    {
        return $this->data[self::KEY_TYPE];
    }

    /**
     * @return string[]
     */
    public function getValues(): array
    {
        return $this->data[self::KEY_VALUES];
    }

    /**
     * @return string|null
     */
    public function getSubject(): ?string
    {
        return $this->data[self::KEY_SUBJECT] ?? null;
    }

    /**
     * @return string|null
     */
    public function getMetric(): ?string
    {
        return $this->data[self::KEY_METRIC] ?? null;
    }

    /**
     * @return int|null
     */
    public function getLimit(): ?int
    {
        return $this->data[self::KEY_LIMIT] ?? null;
    }

    /**
     * @return int|null
     */
    public function getWindow(): ?int
    {
        return $this->data[self::KEY_WINDOW] ?? null;
    }

    /**
     * @return string
     */
    public function getCreatedAt(): string
    {
        return $this->data[self::KEY_CREATED_AT];
    }

    /**
     * @return string|null
     */
    public function getExpiresAt(): ?string
    {
        return $this->data[self::KEY_EXPIRES_AT] ?? null;
    }

    /**
     * @return string|null
     */
    public function getRemovedAt(): ?string
    {
        return $this->data[self::KEY_REMOVED_AT] ?? null;
    }

    /**
     * @return string|null
     */
    public function getIncidentId(): ?string
    {
        return $this->data[self::KEY_INCIDENT_ID] ?? null;
    }

    /**
     * @return string
     */
    public function getReason(): string
    {
        return $this->data[self::KEY_REASON];
    }

    /**
     * @return int
     */
    public function getBlocked(): int
    {
        return $this->data[self::KEY_BLOCKED];
    }

    /**
     * @return string|null
     */
    public function getFirstBlockedAt(): ?string
    {
        return $this->data[self::KEY_FIRST_BLOCKED_AT] ?? null;
    }

    /**
     * @return string|null
     */
    public function getLastBlockedAt(): ?string
    {
        return $this->data[self::KEY_LAST_BLOCKED_AT] ?? null;
    }
}
