<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use MagentoIr\IncidentResponse\Api\Data\GuardBlockListInterface;
use MagentoIr\IncidentResponse\Api\GetGuardBlocksInterface;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\GuardBlock;
use MagentoIr\IncidentResponse\Model\Data\GuardBlockList;

/**
 * Refused order attempts after a block id: a detector reads only what is new since its cursor.
 */
final class GetGuardBlocks implements GetGuardBlocksInterface
{
    public const MAX_PAGE_SIZE = 1000;

    public function __construct(private readonly GuardStore $store, private readonly Input $input)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(int $afterId = 0, int $pageSize = 100): GuardBlockListInterface
    {
        $afterId = $this->input->intRange('afterId', $afterId, 0, PHP_INT_MAX);
        $pageSize = $this->input->intRange('pageSize', $pageSize, 1, self::MAX_PAGE_SIZE);
        $rows = $this->store->blocks($afterId, $pageSize);
        $last = $rows === [] ? $afterId : (int) $rows[count($rows) - 1]['block_id'];
        return new GuardBlockList(array_map(static fn (array $row) => new GuardBlock($row), $rows), $last);
    }
}
