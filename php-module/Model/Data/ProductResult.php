<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\ProductResultInterface;

/**
 * What a quarantine or release did to one requested SKU.
 */
final class ProductResult implements ProductResultInterface
{
    /**
     * @param StoreStatus[] $priorStatuses
     */
    public function __construct(
        private readonly string $sku,
        private readonly string $result,
        private readonly array $priorStatuses,
        private readonly ?int $productId = null
    ) {
    }

    /**
     * @return string
     */
    public function getSku(): string
    {
        return $this->sku;
    }

    /**
     * @return int|null
     */
    public function getProductId(): ?int
    {
        return $this->productId;
    }

    /**
     * @return string
     */
    public function getResult(): string
    {
        return $this->result;
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
            sku: (string) $data[self::KEY_SKU],
            result: (string) $data[self::KEY_RESULT],
            priorStatuses: array_map([StoreStatus::class, 'fromArray'], $data[self::KEY_PRIOR_STATUSES]),
            productId: isset($data[self::KEY_PRODUCT_ID]) ? (int) $data[self::KEY_PRODUCT_ID] : null
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
            self::KEY_SKU => $this->sku,
            self::KEY_RESULT => $this->result,
            self::KEY_PRIOR_STATUSES => array_map(
                static fn (StoreStatus $item): array => $item->toArray(),
                $this->priorStatuses
            ),
        ];
        if ($this->productId !== null) {
            $data[self::KEY_PRODUCT_ID] = $this->productId;
        }
        return $data;
    }
}
