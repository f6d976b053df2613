<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

use Magento\Framework\Api\SearchResultsInterface;

/**
 * A page of the action log, in Magento's search-results shape (items, search_criteria, total_count).
 */
interface ActionLogSearchResultsInterface extends SearchResultsInterface
{
    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\ActionRecordInterface[]
     */
    public function getItems();

    /**
     * @param \MagentoIr\IncidentResponse\Api\Data\ActionRecordInterface[] $items
     * @return $this
     */
    public function setItems(array $items);
}
