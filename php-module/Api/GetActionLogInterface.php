<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Lists the append-only, hash-chained action log.
 *
 * @api
 */
interface GetActionLogInterface
{
    /**
     * Runs the use case.
     *
     * @param \Magento\Framework\Api\SearchCriteriaInterface $searchCriteria Filters, sort orders and paging.
     * @return \MagentoIr\IncidentResponse\Api\Data\ActionLogSearchResultsInterface
     * @throws \Magento\Framework\Exception\InputException
     */
    public function execute(
        \Magento\Framework\Api\SearchCriteriaInterface $searchCriteria
    ): \MagentoIr\IncidentResponse\Api\Data\ActionLogSearchResultsInterface;
}
