<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\StoreContentInterface;

/**
 * One widget instance, layout update or e-mail template.
 */
final class StoreContent implements StoreContentInterface
{
    /**
     * @param int[] $storeIds
     * @param int[] $themeIds
     * @param StoreContentField[] $fields
     */
    public function __construct(
        private readonly string $entityType,
        private readonly int $entityId,
        private readonly ?string $identifier,
        private readonly array $storeIds,
        private readonly array $themeIds,
        private readonly ?int $widgetInstanceId,
        private readonly ?string $updatedAt,
        private readonly array $fields
    ) {
    }

    /**
     * @inheritdoc
     */
    public function getEntityType(): string
    {
        return $this->entityType;
    }

    /**
     * @inheritdoc
     */
    public function getEntityId(): int
    {
        return $this->entityId;
    }

    /**
     * @inheritdoc
     */
    public function getIdentifier(): ?string
    {
        return $this->identifier;
    }

    /**
     * @return int[]
     */
    public function getStoreIds(): array
    {
        return $this->storeIds;
    }

    /**
     * @return int[]
     */
    public function getThemeIds(): array
    {
        return $this->themeIds;
    }

    /**
     * @inheritdoc
     */
    public function getWidgetInstanceId(): ?int
    {
        return $this->widgetInstanceId;
    }

    /**
     * @inheritdoc
     */
    public function getUpdatedAt(): ?string
    {
        return $this->updatedAt;
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\StoreContentFieldInterface[]
     */
    public function getFields(): array
    {
        return $this->fields;
    }
}
