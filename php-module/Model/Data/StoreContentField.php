<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\StoreContentFieldInterface;

/**
 * One text column of a content row.
 */
final class StoreContentField implements StoreContentFieldInterface
{
    public function __construct(private readonly string $name, private readonly string $value)
    {
    }

    /**
     * @inheritdoc
     */
    public function getName(): string
    {
        return $this->name;
    }

    /**
     * @inheritdoc
     */
    public function getValue(): string
    {
        return $this->value;
    }
}
