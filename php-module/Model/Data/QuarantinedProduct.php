<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\QuarantinedProductInterface;

/**
 * A product in an active quarantine with its recorded prior statuses.
 */
final class QuarantinedProduct implements QuarantinedProductInterface
{
    /**
     * @param StoreStatus[] $priorStatuses
     */
    public function __construct(
        private readonly int $quarantineId,
        private readonly string $sku,
        private readonly int $productId,
        private readonly string $quarantinedAt,
        private readonly array $priorStatuses
    ) {
    }

    /**
     * @return int
     */
    public function getQuarantineId(): int
    {
        return $this->quarantineId;
    }

    /**
     * @return string
     */
    public function getSku(): string
    {
        return $this->sku;
    }

    /**
     * @return int
     */
    public function getProductId(): int
    {
        return $this->productId;
    }

    /**
     * @return string
     */
    public function getQuarantinedAt(): string
    {
        return $this->quarantinedAt;
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\StoreStatusInterface[]
     */
    public function getPriorStatuses(): array
    {
        return $this->priorStatuses;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            quarantineId: (int) $data[self::KEY_QUARANTINE_ID],
            sku: (string) $data[self::KEY_SKU],
            productId: (int) $data[self::KEY_PRODUCT_ID],
            quarantinedAt: (string) $data[self::KEY_QUARANTINED_AT],
            priorStatuses: array_map([StoreStatus::class, 'fromArray'], $data[self::KEY_PRIOR_STATUSES])
        );
    }

    /**
     * The REST wire shape: snake_case keys, null values omitted.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        $data = [
            self::KEY_QUARANTINE_ID => $this->quarantineId,
            self::KEY_SKU => $this->sku,
            self::KEY_PRODUCT_ID => $this->productId,
            self::KEY_QUARANTINED_AT => $this->quarantinedAt,
            self::KEY_PRIOR_STATUSES => array_map(
                static fn (StoreStatus $item): array => $item->toArray(),
                $this->priorStatuses
            ),
        ];
        return $data;
    }
}
