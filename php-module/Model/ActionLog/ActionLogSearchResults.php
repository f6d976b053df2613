<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\ActionLog;

use Magento\Framework\Api\SearchCriteriaInterface;
use MagentoIr\IncidentResponse\Api\Data\ActionLogSearchResultsInterface;
use MagentoIr\IncidentResponse\Api\Data\ActionRecordInterface;

/**
 * Magento's SearchResultsInterface requires setters; this object is only filled by GetActionLog.
 */
final class ActionLogSearchResults implements ActionLogSearchResultsInterface
{
    /** @var ActionRecordInterface[] */
    private array $items = [];
    private ?SearchCriteriaInterface $searchCriteria = null;
    private int $totalCount = 0;

    /**
     * @inheritdoc
     */
    public function getItems()
    {
        return $this->items;
    }

    /**
     * @inheritdoc
     */
    public function setItems(array $items)
    {
        $this->items = $items;
        return $this;
    }

    /**
     * @inheritdoc
     */
    public function getSearchCriteria()
    {
        return $this->searchCriteria;
    }

    /**
     * @inheritdoc
     */
    public function setSearchCriteria(SearchCriteriaInterface $searchCriteria)
    {
        $this->searchCriteria = $searchCriteria;
        return $this;
    }

    /**
     * @inheritdoc
     */
    public function getTotalCount()
    {
        return $this->totalCount;
    }

    /**
     * @inheritdoc
     */
    public function setTotalCount($totalCount)
    {
        $this->totalCount = (int) $totalCount;
        return $this;
    }
}
